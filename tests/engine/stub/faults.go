package stub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Fault injection (issue 23). Real deploys fail halfway: a node group never becomes healthy, an
// IAM role is not yet usable, a security group is still in use when destroy reaches it, the CI
// runner is cancelled. The harness (scripts/engine.sh faults) makes the stubs fail the same way
// through a fault plan, and checks what the state holds and what the next run does.
//
// FaultDirVariable names a directory. Unset, no fault fires and nothing is written. Set, the
// stubs of every provider process of every run share it:
//
//	faults.json  the fault plan (absent: no fault), a JSON array of Fault
//	fired/       one marker per fault that fired (named by the fault's hash), so a fail-once
//	             fault or a stall fires in one run only
//	stalled      written when a stall begins: the harness waits for it before signalling the CLI
//	created.log  the URN of every resource a create (not a preview) returned, a line each
//	deleted.log  the URN of every resource a delete removed, a line each
//	orphans/     what the cloud holds that the engine may not know of (below)
//
// What it models, and nothing more:
//
//   - fail: the operation returns the error of ErrorTexts, as the real provider reports it
//     (terraform-provider-aws wording: the operation, the resource's physical ID, the AWS API
//     error), and changes nothing in the cloud;
//   - stall: a create that AWS accepted and that is still running when the runner is cancelled.
//     The resource exists in the cloud from that moment (an orphan, with the ID and state a
//     finished create would have) and the call never answers: it returns only when the engine
//     goes away, as a real provider's waiter does when its process is killed. Cancel does not
//     end it: a provider cannot abort an AWS create that is under way. An orphan makes a second
//     create of the same type and physical name fail as AWS does (ResourceInUseException:
//     EKS, like most AWS services, refuses a second resource with a taken name) until it is
//     deleted. A Read of its ID that carries no state (the engine knows only the ID: a resource
//     adopted into the state, scripts/recover.sh) answers the state the cloud holds; previews
//     and refreshes read as often as they like, as they do from AWS.
//
// It does not model partial creates (a provider returning an ID with an error), retries inside
// the provider, or faults of reads and invokes.
const FaultDirVariable = "EKS_PLATFORM_STUB_FAULT_DIR"

// Fault is one entry of the fault plan.
type Fault struct {
	// Resource selects the resource: its URN, or its type ("aws:eks/nodeGroup:NodeGroup"), or its
	// type and logical name ("aws:eks/nodeGroup:NodeGroup::general-dev").
	Resource string `json:"resource"`
	// Op is the operation that fails or stalls: create, update or delete.
	Op string `json:"op"`
	// Mode is fail-once, fail-always or stall (a stall fires once).
	Mode string `json:"mode"`
	// Error names the error text for fail modes, a key of ErrorTexts.
	Error string `json:"error,omitempty"`
}

// ErrorTexts are the errors a fault returns, worded as the real providers report them. Each takes
// the resource's inputs and physical ID (empty for a create).
var ErrorTexts = map[string]func(inputs resource.PropertyMap, id string) string{
	// A node group whose instances never join the cluster: EKS marks it CREATE_FAILED after about
	// 20 minutes, and terraform-provider-aws' waiter reports the group's health issue
	// (internal/service/eks/node_group.go, waitNodegroupCreated).
	"NodeCreationFailure": func(in resource.PropertyMap, _ string) string {
		return fmt.Sprintf("waiting for EKS Node Group (%s:%s) create: unexpected state 'CREATE_FAILED', wanted target 'ACTIVE'. "+
			"last error: i-0a1b2c3d4e5f60718: NodeCreationFailure: Instances failed to join the kubernetes cluster",
			str(in, "clusterName"), str(in, "nodeGroupName"))
	},
	// IAM is eventually consistent: a role created seconds before can fail EKS's assume-role check
	// after the provider's own retries (two minutes) have run out. It is transient: the same call
	// succeeds later.
	"RoleNotAssumable": func(in resource.PropertyMap, _ string) string {
		return fmt.Sprintf("creating EKS Cluster (%s): operation error EKS: CreateCluster, https response error StatusCode: 400, "+
			"RequestID: 0f6d5a1e-4c2b-4e8a-9b7d-3c1e2f4a5b6c, InvalidParameterException: Role with arn: %s, "+
			"could not be assumed because it does not exist or the trusted entity is not correct",
			str(in, "name"), str(in, "roleArn"))
	},
	// An API that throttles the deploy beyond the AWS SDK's retries (CloudWatch's PutMetricAlarm
	// is limited per account and region); the same call succeeds a little later.
	"Throttling": func(in resource.PropertyMap, _ string) string {
		return fmt.Sprintf("updating CloudWatch Metric Alarm (%s): operation error CloudWatch: PutMetricAlarm, exceeded maximum number of attempts, 25, "+
			"https response error StatusCode: 400, RequestID: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d, api error Throttling: Rate exceeded", str(in, "name"))
	},
	// A security group that an ENI or another group's rule still references (a load balancer's, a
	// pod's) cannot be deleted; EC2 refuses until the dependent object is gone.
	"DependencyViolation": func(_ resource.PropertyMap, id string) string {
		return fmt.Sprintf("deleting Security Group (%s): operation error EC2: DeleteSecurityGroup, https response error StatusCode: 400, "+
			"RequestID: 7c9e6679-7425-40de-944b-e07fc1f90ae7, api error DependencyViolation: resource %s has a dependent object", id, id)
	},
}

// alreadyExists is AWS's answer to a create whose physical name an orphan already holds.
func alreadyExists(typ, name string) error {
	return fmt.Errorf("creating %s (%s): operation error: https response error StatusCode: 409, "+
		"RequestID: 3b241101-e2bb-4255-8caf-4136c566a962, ResourceInUseException: %s already exists with name: %s",
		typ, name, lastTypeSegment(typ), name)
}

// stallLimit ends a stall that no engine ever ends, so a broken harness cannot hang CI.
const stallLimit = 10 * time.Minute

// faultFor returns the fault of the plan that applies to op on urn and claims it (a once fault
// or a stall fires one time), or nil.
func faultFor(urn, op string) (*Fault, error) {
	dir := os.Getenv(FaultDirVariable)
	if dir == "" {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "faults.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var plan []Fault
	if err := json.Unmarshal(data, &plan); err != nil {
		return nil, fmt.Errorf("stub fault plan %s: %w", filepath.Join(dir, "faults.json"), err)
	}
	for i, fault := range plan {
		if fault.Op != op || !fault.matches(urn) {
			continue
		}
		switch fault.Mode {
		case "fail-always":
			return &plan[i], nil
		case "fail-once", "stall":
			// The marker is created exclusively: of all provider processes, one fires the fault.
			if err := os.MkdirAll(filepath.Join(dir, "fired"), 0o755); err != nil {
				return nil, err
			}
			// Named by the fault itself: a new plan's faults fire afresh.
			entry, err := json.Marshal(fault)
			if err != nil {
				return nil, err
			}
			sum := sha256.Sum256(entry)
			marker, err := os.OpenFile(filepath.Join(dir, "fired", hex.EncodeToString(sum[:8])), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
			if errors.Is(err, os.ErrExist) {
				continue
			}
			if err != nil {
				return nil, err
			}
			_, err = fmt.Fprintln(marker, urn)
			if closeErr := marker.Close(); err == nil {
				err = closeErr
			}
			return &plan[i], err
		default:
			return nil, fmt.Errorf("stub fault plan: fault %d has mode %q: want fail-once, fail-always or stall", i, fault.Mode)
		}
	}
	return nil, nil
}

// matches reports whether the fault selects the resource with this URN.
func (f Fault) matches(urn string) bool {
	parsed := resource.URN(urn)
	switch {
	case strings.HasPrefix(f.Resource, "urn:"):
		return f.Resource == urn
	case strings.Contains(f.Resource, "::"):
		return f.Resource == string(parsed.Type())+"::"+parsed.Name()
	default:
		return f.Resource == string(parsed.Type())
	}
}

// failure is the error a fail fault returns for the resource.
func (f Fault) failure(inputs resource.PropertyMap, id string) error {
	text, ok := ErrorTexts[f.Error]
	if !ok {
		known := make([]string, 0, len(ErrorTexts))
		for name := range ErrorTexts {
			known = append(known, name)
		}
		sort.Strings(known)
		return fmt.Errorf("stub fault plan: unknown error %q for %s (known: %s)", f.Error, f.Resource, strings.Join(known, ", "))
	}
	return errors.New(text(inputs, id))
}

// stall keeps a create that the cloud has accepted unanswered until the engine goes away (ctx
// ends when the engine's connection closes) or stallLimit passes.
func stall(ctx context.Context, urn string) error {
	dir := os.Getenv(FaultDirVariable)
	if err := os.WriteFile(filepath.Join(dir, "stalled"), []byte(urn+"\n"), 0o644); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(stallLimit):
		return fmt.Errorf("stub fault plan: the create of %s stalled for %s and nobody cancelled the engine", urn, stallLimit)
	}
}

// orphan is a resource the cloud holds that the engine may not know of.
type orphan struct {
	URN    string          `json:"urn"`
	Type   string          `json:"type"`
	Name   string          `json:"name"`
	ID     string          `json:"id"`
	Inputs json.RawMessage `json:"inputs"`
	State  json.RawMessage `json:"state"`
}

func orphanPath(dir, typ, name string) string {
	sum := sha256.Sum256([]byte(typ + "\x00" + name))
	return filepath.Join(dir, "orphans", hex.EncodeToString(sum[:8])+".json")
}

// physical is the name AWS knows a resource by: its name input, else its logical name.
func physical(urn string, inputs resource.PropertyMap) string {
	if name := str(inputs, "name"); name != "" {
		return name
	}
	return resource.URN(urn).Name()
}

// keepOrphan records a resource the cloud now holds.
func keepOrphan(o orphan) error {
	dir := os.Getenv(FaultDirVariable)
	path := orphanPath(dir, o.Type, o.Name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// claimedName fails a create whose type and physical name an orphan holds.
func claimedName(urn string, inputs resource.PropertyMap) error {
	dir := os.Getenv(FaultDirVariable)
	if dir == "" {
		return nil
	}
	typ, name := string(resource.URN(urn).Type()), physical(urn, inputs)
	if _, err := os.Stat(orphanPath(dir, typ, name)); err == nil {
		return alreadyExists(typ, name)
	}
	return nil
}

// orphanByID returns what the cloud holds under this ID for the resource's type, if anything.
func orphanByID(urn, id string) (*orphan, string, error) {
	dir := os.Getenv(FaultDirVariable)
	if dir == "" || id == "" {
		return nil, "", nil
	}
	paths, err := filepath.Glob(filepath.Join(dir, "orphans", "*.json"))
	if err != nil {
		return nil, "", err
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, "", err
		}
		var o orphan
		if err := json.Unmarshal(data, &o); err != nil {
			return nil, "", err
		}
		if o.ID == id && o.Type == string(resource.URN(urn).Type()) {
			return &o, path, nil
		}
	}
	return nil, "", nil
}

// forgetOrphan drops what a delete of this ID removed from the cloud.
func forgetOrphan(urn, id string) error {
	_, path, err := orphanByID(urn, id)
	if err != nil || path == "" {
		return err
	}
	return os.Remove(path)
}

// ledger appends the URN to created.log or deleted.log.
func ledger(file, urn string) error {
	dir := os.Getenv(FaultDirVariable)
	if dir == "" {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, urn)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	return err
}

// lastTypeSegment is "Cluster" of "aws:eks/cluster:Cluster".
func lastTypeSegment(typ string) string {
	return typ[strings.LastIndex(typ, ":")+1:]
}
