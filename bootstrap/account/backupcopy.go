package account

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/naming"
	"github.com/acme/eks-platform/security"
)

// BackupCopyAccountArgs is what the bootstrap of a backup-copy account needs: the account that
// holds the copies of the environments of SourceAccountID, in CopyRegion (issue 22).
type BackupCopyAccountArgs struct {
	Suffix, Partition string
	// AccountID is the copy account, SourceAccountID the account of the platform stacks.
	AccountID, SourceAccountID string
	CopyRegion                 string
	Environments               []string
	Permissions                *Permissions
}

// BackupCopyAccount is a backup-copy account's bootstrap: per environment, the two roles the
// platform stack's copy provider works on there.
type BackupCopyAccount struct {
	pulumi.ResourceState

	// CopyRoleArns and CopyPreviewRoleArns are by environment.
	CopyRoleArns        pulumi.StringMap
	CopyPreviewRoleArns pulumi.StringMap
}

// NewBackupCopyAccount makes, per environment, eks-platform-backup-copy-<env>, which only the
// source account's deploy role of that environment may assume and which may create and change
// the copy's key and bucket only (permissions.json backupCopyTypes, in the copy region), and
// eks-platform-backup-copy-preview-<env>, which only the preview role may assume and which reads
// them only. The account holds no state, no GitHub trust and no other role of the platform's.
func NewBackupCopyAccount(ctx *pulumi.Context, name string, args *BackupCopyAccountArgs, opts ...pulumi.ResourceOption) (*BackupCopyAccount, error) {
	if args == nil || args.Permissions == nil || len(args.Environments) == 0 || args.CopyRegion == "" {
		return nil, fmt.Errorf("backup-copy account %s: needs its permissions, its copy region and at least one environment", name)
	}
	comp := &BackupCopyAccount{CopyRoleArns: pulumi.StringMap{}, CopyPreviewRoleArns: pulumi.StringMap{}}
	if err := ctx.RegisterComponentResource("eks-platform:bootstrap:BackupCopyAccount", name, comp, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)
	perms := args.Permissions.ForBackupCopy()
	read, err := ReadPolicy(perms).JSON()
	if err != nil {
		return nil, err
	}
	for _, env := range args.Environments {
		target := Target{Partition: args.Partition, Account: args.AccountID, Region: args.CopyRegion, Env: env}
		writes, err := security.PolicyDocument{Statement: append(ReadPolicy(perms).Statement, perms.WriteStatements(target)...)}.JSON()
		if err != nil {
			return nil, err
		}
		for _, role := range []struct {
			name, assumedBy, policy string
		}{
			{config.BackupCopyRolePrefix + env, deployRolePrefix + env, writes},
			{config.BackupCopyPreviewRolePrefix + env, previewRolePrefix + env, read},
		} {
			trust, err := CopyRoleTrustPolicy(args.Partition, args.SourceAccountID, role.assumedBy).JSON()
			if err != nil {
				return nil, err
			}
			r, err := iam.NewRole(ctx, naming.Name(role.name, args.Suffix), &iam.RoleArgs{
				Name:             pulumi.String(role.name),
				Description:      pulumi.String(fmt.Sprintf("The backup copy of %s, for %s of account %s", env, role.assumedBy, args.SourceAccountID)),
				AssumeRolePolicy: pulumi.String(trust),
			}, parent)
			if err != nil {
				return nil, err
			}
			if _, err := iam.NewRolePolicy(ctx, naming.Name(role.name+"-permissions", args.Suffix), &iam.RolePolicyArgs{
				Role: r.Name, Name: pulumi.String("backup-copy"), Policy: pulumi.String(role.policy),
			}, parent); err != nil {
				return nil, err
			}
			if role.assumedBy == deployRolePrefix+env {
				comp.CopyRoleArns[env] = r.Arn
			} else {
				comp.CopyPreviewRoleArns[env] = r.Arn
			}
		}
	}
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"copyRoleArns": comp.CopyRoleArns, "copyPreviewRoleArns": comp.CopyPreviewRoleArns,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

// CopyRoleTrustPolicy lets one role of the source account assume a copy role, and nobody else.
// It names the source account with the role in aws:PrincipalArn rather than the role itself: IAM
// refuses a trust naming a role that does not exist yet, and would silently keep a deleted and
// remade role's old ID (IAM User Guide, "AWS JSON policy elements: Principal").
func CopyRoleTrustPolicy(partition, sourceAccount, roleName string) security.PolicyDocument {
	return security.PolicyDocument{Statement: []security.Statement{{
		Sid:       "OnlyTheSourceAccountsCounterpart",
		Effect:    security.Allow,
		Principal: map[string]security.StringList{"AWS": {fmt.Sprintf("arn:%s:iam::%s:root", partition, sourceAccount)}},
		Action:    security.StringList{"sts:AssumeRole"},
		Condition: security.Condition{"ArnEquals": {"aws:PrincipalArn": {fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, sourceAccount, roleName)}}},
	}}}
}
