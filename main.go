// Command eks-platform is the Pulumi program; `pulumi up` runs it. The whole stack is
// stack.Program, so tests and the offline plan (cmd/plan) run exactly what this runs.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/eks-platform/stack"
)

func main() {
	pulumi.Run(stack.Program)
}
