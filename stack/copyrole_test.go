package stack

import "testing"

// issue 22: the copy provider works on the copy account's preview role only for the stack's
// preview role, and on its deploy role for anyone else (STS then refuses a stranger, as the
// copy account's roles trust only their counterparts).
func TestBackupCopyRoleFollowsTheCaller(t *testing.T) {
	for caller, want := range map[string]string{
		"arn:aws:sts::777788889999:assumed-role/eks-platform-preview-prod/GitHubActions": "arn:aws:iam::999988887777:role/eks-platform-backup-copy-preview-prod",
		"arn:aws:sts::777788889999:assumed-role/eks-platform-deploy-prod/GitHubActions":  "arn:aws:iam::999988887777:role/eks-platform-backup-copy-prod",
		// Another environment's preview role is not this one's.
		"arn:aws:sts::777788889999:assumed-role/eks-platform-preview-staging/x":     "arn:aws:iam::999988887777:role/eks-platform-backup-copy-prod",
		"arn:aws:iam::777788889999:user/alice":                                      "arn:aws:iam::999988887777:role/eks-platform-backup-copy-prod",
		"arn:aws-us-gov:sts::777788889999:assumed-role/eks-platform-preview-prod/s": "arn:aws-us-gov:iam::999988887777:role/eks-platform-backup-copy-preview-prod",
	} {
		if got := backupCopyRoleArn(caller, "999988887777", "prod"); got != want {
			t.Errorf("caller %s: copy role %s, want %s", caller, got, want)
		}
	}
}
