import { renderCoverWithSharp } from '../adapters/cover-images';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3UploadStore } from '../adapters/upload-store';
import { inspectPublication } from '../domain/publication';
import type { Publishing } from '../http/deps';

/** What the librarian surface adds to the deps: the S3 side of uploads and the publication inspector. */
export function createPublishing(s3: S3Client, bucket: string): Publishing {
  // Cover renditions with sharp: on Lambda from the librarian API's layer (infra/constructs/native-modules-layer.ts).
  return {
    store: new S3UploadStore(s3, bucket),
    inspect: inspectPublication,
    renderCover: renderCoverWithSharp,
  };
}
