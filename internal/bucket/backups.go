package bucket

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/internal/naming"
)

// GraceDays is how long the lifecycle rule leaves a backup after its TTL. Velero deletes an
// expired backup's EBS snapshots from the list stored with the backup in the bucket: were the
// rule to expire the objects first, the snapshots would be left behind, unlisted and billed.
const GraceDays = 7

// Backups is the spec of a bucket of Velero backups kept retentionDays: Velero deletes expired
// backups itself, and the lifecycle rule is the backstop, a grace period after the TTL; it also
// expires the versions deleted objects leave behind, one retention period later. lockDays above
// 0 locks every new version (COMPLIANCE).
func Backups(logical string, name, kmsKeyArn pulumi.StringInput, retentionDays, lockDays int) Spec {
	return Spec{
		Logical: logical, Name: name, KmsKeyArn: kmsKeyArn,
		ExpireDays: retentionDays + GraceDays, NoncurrentDays: retentionDays,
		ObjectLockDays: lockDays,
	}
}

// The names a backup copy in a backup account is known by on both sides (issue 22): the
// platform replicates into the bucket and restores from it with the key, both by these names;
// the backup account's bootstrap makes them and lets in exactly the platform's replication role
// and Velero role, by theirs.

// CopyBucketName is the copy of the backups of cluster kept in account: "vcopy-<cluster>-<account>".
func CopyBucketName(cluster, account string) string {
	return fmt.Sprintf("vcopy-%s-%s", cluster, account)
}

// CopyKeyAlias is the alias of the copy's KMS key in a backup account.
func CopyKeyAlias(env string) string { return "alias/" + naming.Name("velero-copy", env) }

// ReplicationRoleName is the role S3 replicates the backups of cluster with.
func ReplicationRoleName(cluster string) string { return cluster + "-backup-replication" }

// VeleroRoleName is Velero's IRSA role in environment env (security.NewIRSARole names it
// "velero-<env>").
func VeleroRoleName(env string) string { return naming.Name("velero", env) }
