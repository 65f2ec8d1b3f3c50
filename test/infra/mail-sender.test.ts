import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { LibraryTable } from '../../infra/constructs/library-table.js';
import { MailSender } from '../../infra/constructs/mail-sender.js';
import { PseudonymSecret } from '../../infra/constructs/pseudonym-secret.js';
import { Sweeper } from '../../infra/constructs/sweeper.js';
import { actionsOf, constructStack, logicalId, roleStatements } from './helpers.js';

function prepare() {
  const stack = constructStack();
  const table = new LibraryTable(stack, 'Library');
  const sender = new MailSender(stack, 'Mail', { fromAddress: 'notices@library.example' });
  new Sweeper(stack, 'Sweeper', {
    table,
    mail: {
      sender,
      appUrl: 'https://reader.example',
      apiUrl: 'https://api.example',
      linkSecret: new PseudonymSecret(stack, 'PseudonymSecret'),
    },
  });
  return Template.fromStack(stack);
}

describe('the library’s mail (SES) and who may send it', () => {
  it('has a sender identity and a configuration set that suppresses bounces and complaints', () => {
    // Prepare
    const template = prepare();
    // Act / Assess
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'notices@library.example' });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it('lets the sweeper send only from that address, on that identity and configuration set', () => {
    // Prepare
    const template = prepare();
    // Act
    const ses = roleStatements(template, 'SweeperRole').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('ses:')),
    );
    // Assess
    expect(ses).toHaveLength(1);
    const [statement] = ses as [(typeof ses)[number] & { Condition?: unknown }];
    expect(actionsOf(statement)).toEqual(['ses:SendEmail']);
    const resources = JSON.stringify(statement.Resource);
    expect(resources).toContain(':identity/');
    expect(resources).toContain(`"Ref":"${logicalId(template, 'AWS::SES::EmailIdentity', 'MailIdentity')}"`);
    expect(resources).toContain(':configuration-set/');
    expect(resources).not.toContain('*');
    expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'notices@library.example' } });
  });

  it('gives the sweeper the sender, the links’ URLs and secret, and counts mails given up for an alarm', () => {
    // Prepare
    const template = prepare();
    // Act
    const fn = template.toJSON().Resources[logicalId(template, 'AWS::Lambda::Function', 'SweeperFunction')];
    // Assess
    expect(fn.Properties.Environment.Variables).toMatchObject({
      MAIL_FROM: 'Perpustakaan Kota Nusantara <notices@library.example>',
      WEB_ORIGIN: 'https://reader.example',
      PUBLIC_API_URL: 'https://api.example',
      LIBRARY_TIME_ZONE: 'Asia/Jakarta',
    });
    expect(fn.Properties.Environment.Variables.SES_CONFIGURATION_SET).toBeDefined();
    expect(fn.Properties.Environment.Variables.PSEUDONYM_SECRET_ARN).toBeDefined();
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [
        { MetricNamespace: 'Pustaka', MetricName: 'FailedDeliveries', MetricValue: '1' },
      ],
    });
  });
});
