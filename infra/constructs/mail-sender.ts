import { Arn, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { ConfigurationSet, EmailIdentity, Identity, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface MailSenderProps {
  /** The address the library's mail comes from, e.g. `perpustakaan@library.example`. */
  readonly fromAddress: string;
  /** The name shown with it. @default 'Perpustakaan Kota Nusantara' */
  readonly fromName?: string;
  /**
   * Verify the whole domain (DKIM records to publish) rather than the single address. @default the
   * address's domain when given, else the address alone (a verification mail to it)
   */
  readonly domain?: string;
}

/**
 * Amazon SES for the library's notices: the sender identity (verified by DKIM records on the domain, or a
 * verification mail to the address) and a configuration set that keeps reputation metrics and suppresses
 * addresses that bounced or complained. `grantSend` allows sending from that address only, through that
 * configuration set only. A new SES account is in the sandbox (mail only to verified addresses) until AWS
 * grants production access: see the README.
 */
export class MailSender extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly from: string;
  readonly fromAddress: string;

  constructor(scope: Construct, id: string, props: MailSenderProps) {
    super(scope, id);
    this.fromAddress = props.fromAddress;
    this.from = `${props.fromName ?? 'Perpustakaan Kota Nusantara'} <${props.fromAddress}>`;
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: props.domain ? Identity.domain(props.domain) : Identity.email(props.fromAddress),
      configurationSet: this.configurationSet,
    });
  }

  /** ses:SendEmail (SESv2, raw MIME included) from this address, on this identity and configuration set only. */
  grantSend(grantee: IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendLibraryMail',
        effect: Effect.ALLOW,
        actions: ['ses:SendEmail'],
        resources: [
          Arn.format(
            { service: 'ses', resource: 'identity', resourceName: this.identity.emailIdentityName },
            stack,
          ),
          Arn.format(
            {
              service: 'ses',
              resource: 'configuration-set',
              resourceName: this.configurationSet.configurationSetName,
            },
            stack,
          ),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': this.fromAddress } },
      }),
    );
  }
}
