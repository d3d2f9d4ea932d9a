// admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration (pkg/registry/admissionregistration/
// validatingwebhookconfiguration): built with the mutating kind in _webhookconfigurations.ts; the
// webhooks are called by src/admission/webhook.

import { webhookConfigurationType } from './_webhookconfigurations.js';

export const validatingwebhookconfigurations = webhookConfigurationType('ValidatingWebhookConfiguration');
