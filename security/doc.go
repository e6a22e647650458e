// Package security holds the platform's security controls.
//
// AWS side (S1, S3): the customer-managed KMS key that encrypts EKS secrets, log groups and EBS
// volumes (NewEncryption); the IRSA helper that gives one Kubernetes service account one IAM role
// trusting only the cluster's OIDC provider (NewIRSARole); the IRSA roles of the platform
// controllers, fed from one table (NewWorkloadRoles); and the IAM policy document type every
// policy of the program is written with (PolicyDocument), so no policy is a hand-written JSON
// string.
//
// In-cluster side (S4, S5, P2): workload namespaces with Pod Security labels, default-deny network
// policies, quotas and limit ranges (NewBaseline).
package security
