// The Kubernetes API version kplane implements (its behaviour is checked against this
// kube-apiserver release), and kplane's own version.

export const KUBE_VERSION = 'v1.34.10';
export const KPLANE_VERSION = '0.1.0';
