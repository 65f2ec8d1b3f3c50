import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AccessLogBucket } from './constructs/access-log-bucket.js';
import { ApiFunctions } from './constructs/api-functions.js';
import { ContentBucket } from './constructs/content-bucket.js';
import { LibraryHttpApi } from './constructs/library-http-api.js';
import { LibraryTable } from './constructs/library-table.js';
import { Monitoring } from './constructs/monitoring.js';
import { PseudonymSecret } from './constructs/pseudonym-secret.js';
import { ReaderSite } from './constructs/reader-site.js';
import { SigningKeys } from './constructs/signing-keys.js';
import { Sweeper } from './constructs/sweeper.js';
import { MailSender } from './constructs/mail-sender.js';

export interface LibraryStackProps extends StackProps {
  /** E-mail address subscribed to the alarm topic. */
  readonly alarmEmail?: string;
  /** Folder with the built reader (default: web/dist, or a placeholder when it is not built). */
  readonly siteAssetPath?: string;
  /** The address the library's notices come from (an SES identity). @default 'notices@pustaka.example' */
  readonly mailFrom?: string;
  /** Verify this domain for SES (DKIM) instead of the single address. */
  readonly mailDomain?: string;
}

/** Wiring only: every construct owns its defaults. */
export class LibraryStack extends Stack {
  constructor(scope: Construct, id: string, props: LibraryStackProps = {}) {
    super(scope, id, props);

    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    const table = new LibraryTable(this, 'Library');
    const content = new ContentBucket(this, 'Content', { accessLogs: accessLogs.bucket });
    const signingKeys = new SigningKeys(this, 'SigningKeys');
    const pseudonymSecret = new PseudonymSecret(this, 'PseudonymSecret');
    const httpApi = new LibraryHttpApi(this, 'HttpApi');

    const site = new ReaderSite(this, 'Reader', {
      apiOrigin: httpApi.url,
      contentOrigin: content.origin,
      accessLogs: accessLogs.bucket,
      ...(props.siteAssetPath ? { assetPath: props.siteAssetPath } : {}),
    });
    content.allowReaderOrigin(site.origin);

    const functions = new ApiFunctions(this, 'Api', {
      table,
      content,
      signingKeys,
      pseudonymSecret,
      webOrigin: site.origin,
      tokenIssuer: httpApi.url,
      publicApiUrl: httpApi.url,
    });
    httpApi.route({
      patronApi: functions.patronApi.function,
      partnerApi: functions.partnerApi.function,
      librarianApi: functions.librarianApi.function,
    });

    const mail = new MailSender(this, 'Mail', {
      fromAddress: props.mailFrom ?? 'notices@pustaka.example',
      ...(props.mailDomain ? { domain: props.mailDomain } : {}),
    });
    // The sweeper's schedule also sends the notices that are due (see the notify note in README).
    const sweeper = new Sweeper(this, 'Sweeper', {
      table,
      content,
      mail: { sender: mail, appUrl: site.origin, apiUrl: httpApi.url, linkSecret: pseudonymSecret },
    });

    new Monitoring(this, 'Monitoring', {
      api: httpApi.api,
      functions: {
        PatronApi: functions.patronApi.function,
        PartnerApi: functions.partnerApi.function,
        LibrarianApi: functions.librarianApi.function,
        Sweeper: sweeper.sweeper.function,
      },
      notifications: { failedDeliveries: sweeper.failedDeliveries },
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: httpApi.url, description: 'Pustaka API base URL' });
    new CfnOutput(this, 'SiteUrl', { value: site.origin, description: 'Pustaka reader URL' });
  }
}
