// Command eks-platform-guardrails is the platform's CrossGuard policy pack as a binary analyzer
// plugin: `pulumi preview|up --policy-pack <this binary>` starts it, and the engine sends it every
// resource it registers (issue 22). scripts/stack.sh and scripts/engine.sh always pass it.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/acme/eks-platform/guardrails"
)

func main() {
	if err := policyx.Main(guardrails.Pack); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
