package account

import (
	"os"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/naming"
)

// Program is the bootstrap's main: the configured keys come from PULUMI_CONFIG, where the Go SDK
// reads the values, so a key nothing reads is refused on preview and up too.
func Program(ctx *pulumi.Context) error {
	keys, err := config.Configured(os.Getenv(pulumi.EnvConfig))
	if err != nil {
		return err
	}
	outputs, err := Outputs(keys)(ctx)
	if err != nil {
		return err
	}
	for key, value := range outputs {
		ctx.Export(key, value)
	}
	return nil
}

// Outputs loads and validates the configuration (before any resource), then builds the account's
// bootstrap through one AWS provider that carries the region, the cost tags as default tags and
// the one account it may touch, and returns the stack outputs. The offline plan and the tests run
// it under mocks.
func Outputs(keys []string) func(ctx *pulumi.Context) (pulumi.Map, error) {
	return func(ctx *pulumi.Context) (pulumi.Map, error) {
		cfg, err := Load(ctx, keys)
		if err != nil {
			return nil, err
		}
		perms, err := LoadPermissions()
		if err != nil {
			return nil, err
		}
		suffix := ctx.Stack()
		provider, err := aws.NewProvider(ctx, naming.Name("aws", suffix), &aws.ProviderArgs{
			Region:            pulumi.String(cfg.Region),
			AllowedAccountIds: pulumi.StringArray{pulumi.String(cfg.AccountID)},
			DefaultTags:       &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.Tags)},
		})
		if err != nil {
			return nil, err
		}
		partition, err := aws.GetPartition(ctx, &aws.GetPartitionArgs{}, pulumi.Provider(provider))
		if err != nil {
			return nil, err
		}
		if cfg.BackupSourceAccountID != "" {
			backup, err := NewBackupCopyAccount(ctx, naming.Name("backup-account", suffix), &BackupCopyAccountArgs{
				Suffix: suffix, Partition: partition.Partition, DNSSuffix: partition.DnsSuffix,
				AccountID: cfg.AccountID, SourceAccountID: cfg.BackupSourceAccountID, Region: cfg.Region,
				Environments: cfg.Environments, ClusterName: cfg.ClusterName,
				RetentionDays: cfg.RetentionDays, ObjectLockDays: cfg.ObjectLockDays, KeyAdminRoleArns: cfg.CopyKeyAdminRoleArns,
			}, pulumi.Providers(provider))
			if err != nil {
				return nil, err
			}
			return pulumi.Map{"copyBucketNames": backup.CopyBucketNames, "copyKeyArns": backup.CopyKeyArns}, nil
		}
		acct, err := NewAccount(ctx, naming.Name("account", suffix), &AccountArgs{
			Suffix: suffix, Partition: partition.Partition, AccountID: cfg.AccountID, Region: cfg.Region,
			Repository: cfg.Repository, Environments: cfg.Environments, StateBucket: cfg.StateBucket,
			AccessLogDays: cfg.AccessLogDays, Permissions: perms, BackupCopyRegion: cfg.BackupCopyRegion,
		}, pulumi.Providers(provider))
		if err != nil {
			return nil, err
		}
		return pulumi.Map{
			"stateBucket":     acct.StateBucket,
			"backendUrl":      pulumi.Sprintf("s3://%s?region=%s", acct.StateBucket, cfg.Region),
			"secretsProvider": pulumi.String("awskms://" + SecretsKeyAlias + "?region=" + cfg.Region),
			"secretsKeyArn":   acct.SecretsKeyArn,
			"logBucket":       acct.LogBucket,
			"oidcProviderArn": acct.OidcProviderArn,
			"deployRoleArns":  acct.DeployRoleArns,
			"previewRoleArns": acct.PreviewRoleArns,
		}, nil
	}
}
