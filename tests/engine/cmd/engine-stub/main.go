// Command engine-stub is everything scripts/engine.sh needs besides the real Pulumi CLI and
// pulumi-eks, in one binary (linked once, then symlinked under the names the engine looks for):
//
//	pulumi-resource-aws         the stub aws provider plugin (package stub)
//	pulumi-resource-kubernetes  the stub kubernetes provider plugin (package stub)
//	pulumi-resource-eks         starts the real pulumi-eks provider under node (package eksprovider)
//	engine-stub plan <stack>    `pulumi stack export` on stdin -> the engine plan JSON on stdout
//	engine-stub count           `pulumi stack export` on stdin -> the number of resources
//	engine-stub cloud-count     `pulumi stack export` on stdin -> the number of cloud resources
//	                            (custom, not providers)
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/acme/eks-platform/tests/engine/eksprovider"
	"github.com/acme/eks-platform/tests/engine/engineplan"
	"github.com/acme/eks-platform/tests/engine/stub"
)

// stubVersion is what the stub plugins report about themselves; they serve every version the
// engine asks for, and the engine records the requested one, not this.
const stubVersion = "0.0.0-engine-stub"

func main() {
	switch name := filepath.Base(os.Args[0]); name {
	case "pulumi-resource-aws":
		exitOn(stub.Serve("aws", stubVersion, os.Stderr))
	case "pulumi-resource-kubernetes":
		exitOn(stub.Serve("kubernetes", stubVersion, os.Stderr))
	case "pulumi-resource-eks":
		os.Exit(eksprovider.Run(os.Args[1:], os.Stderr))
	default:
		exitOn(command(os.Args[1:]))
	}
}

func command(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: engine-stub plan <stack> | engine-stub count  (reads pulumi stack export on stdin)")
	}
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	switch {
	case args[0] == "plan" && len(args) == 2:
		plan, err := engineplan.FromExport(data, args[1])
		if err != nil {
			return err
		}
		encoder := json.NewEncoder(os.Stdout)
		encoder.SetIndent("", "  ")
		return encoder.Encode(plan)
	case (args[0] == "count" || args[0] == "cloud-count") && len(args) == 1:
		count := engineplan.ResourceCount
		if args[0] == "cloud-count" {
			count = engineplan.CloudResourceCount
		}
		n, err := count(data)
		if err != nil {
			return err
		}
		fmt.Println(n)
		return nil
	}
	return fmt.Errorf("unknown command %q: want plan <stack>, count or cloud-count", args)
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "engine-stub: %v\n", err)
		os.Exit(1)
	}
}
