// Command bootstrap is the bootstrap program's entry point (its own Pulumi project,
// bootstrap/Pulumi.yaml): once per AWS account, the state bucket, the secrets-provider key, the
// GitHub OIDC provider and the deploy and preview roles (STACK_SPEC A4; package account).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/bootstrap/account"
)

func main() { pulumi.Run(account.Program) }
