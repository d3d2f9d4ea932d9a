// admissionregistration.k8s.io/v1 MutatingWebhookConfiguration (pkg/registry/admissionregistration/
// mutatingwebhookconfiguration): built with the validating kind in _webhookconfigurations.ts; the
// webhooks are called by src/admission/webhook.

import { webhookConfigurationType } from './_webhookconfigurations.js';

export const mutatingwebhookconfigurations = webhookConfigurationType('MutatingWebhookConfiguration');
