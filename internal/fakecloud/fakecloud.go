// Package fakecloud is the one place that knows what a fresh AWS account (and a fresh cluster)
// answers: the computed outputs of a created resource (IDs, ARNs, the cluster endpoint, its
// certificate authority, the OIDC issuer, a launch template's latest version, ...) and the answers
// of data sources. Two paths use it, so they cannot disagree: the Go SDK mocks behind the offline
// plan and every unit test (internal/offline), and the stub `aws` and `kubernetes` provider
// plugins that the real Pulumi engine runs in tests/engine.
//
// Every answer is deterministic: derived from the resource's type, logical name, inputs and
// region, never from a clock or a counter, so a second run answers the same.
package fakecloud

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Fixed answers for the account the fake cloud pretends to be. They are plausible (the account ID
// is the one AWS uses in its documentation) and the same on every run.
const (
	AccountID     = "123456789012"
	DefaultRegion = "us-east-1"
)

// Resource is one resource as the provider receives it on create.
type Resource struct {
	// Type is the resource's type token, e.g. "aws:ec2/vpc:Vpc".
	Type string
	// Name is the logical name the program gave it.
	Name string
	// Custom is false for components (local or remote), which have no physical ID.
	Custom bool
	// Inputs are the resource's inputs after the provider's Check.
	Inputs resource.PropertyMap
	// Region is the region of the provider that creates it.
	Region string
}

// outputFunc adds the outputs a real provider computes for one resource type to state, which
// starts as a copy of the inputs (plus a default "arn").
type outputFunc func(r Resource, state resource.PropertyMap)

// invokeFunc answers one data source.
type invokeFunc func(args resource.PropertyMap, region string) (resource.PropertyMap, error)

// outputFns and invokeFns are filled by one file per concern (cluster.go, nodegroups.go, ...)
// from init functions; they are read-only afterwards.
var (
	outputFns = map[string]outputFunc{}
	invokeFns = map[string]invokeFunc{}
)

// Create returns the physical ID and the state (inputs plus computed outputs) a fresh account
// returns for r. Components get an empty ID.
func Create(r Resource) (string, resource.PropertyMap) {
	state := r.Inputs.Copy()
	id := ID(r.Type, r.Name)
	if r.Custom {
		if _, ok := state["arn"]; !ok {
			state["arn"] = resource.NewStringProperty(ARN(r.Type, physicalName(r), r.Region))
		}
	}
	if fn := outputFns[r.Type]; fn != nil {
		fn(r, state)
		if v, ok := state["id"]; ok && v.IsString() {
			id = v.StringValue()
		}
	}
	if !r.Custom {
		id = ""
	}
	return id, state
}

// Invoke answers the data source token, or fails naming it when the fake cloud has no answer.
func Invoke(token string, args resource.PropertyMap, region string) (resource.PropertyMap, error) {
	fn := invokeFns[token]
	if fn == nil {
		return nil, fmt.Errorf("the fake cloud has no answer for data source %q: add one in internal/fakecloud (answered: %s)",
			token, strings.Join(Invokes(), ", "))
	}
	return fn(args, region)
}

// Invokes lists the data sources the fake cloud answers, sorted.
func Invokes() []string {
	tokens := make([]string, 0, len(invokeFns))
	for token := range invokeFns {
		tokens = append(tokens, token)
	}
	sort.Strings(tokens)
	return tokens
}

// physicalName is the resource's explicit name input when it has one (as AWS would name it), else
// its logical name.
func physicalName(r Resource) string {
	for _, key := range []resource.PropertyKey{"name", "roleName"} {
		if v := String(r.Inputs, key); v != "" {
			return v
		}
	}
	return r.Name
}

// ID returns a deterministic, realistic-looking physical ID for a resource.
func ID(typeToken, name string) string {
	sum := sha256.Sum256([]byte(typeToken + "/" + name))
	hexed := hex.EncodeToString(sum[:])
	if prefix, ok := idPrefixes[typeToken]; ok {
		return prefix + "-" + hexed[:17]
	}
	return name + "-" + hexed[:8]
}

// ARN returns a deterministic ARN in the fake account for a resource with the given physical
// name, in the format AWS uses for that resource type where it differs from the common
// "arn:aws:<service>:<region>:<account>:<kind>/<name>".
func ARN(typeToken, name, region string) string {
	service := "aws"
	if parts := strings.Split(typeToken, ":"); len(parts) == 3 {
		service = strings.SplitN(parts[1], "/", 2)[0]
		if service == "index" {
			service = parts[0]
		}
	}
	switch typeToken {
	case "aws:sns/topic:Topic":
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, AccountID, name)
	case "aws:cloudwatch/logGroup:LogGroup":
		return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, AccountID, name)
	case "aws:ssm/parameter:Parameter":
		return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", region, AccountID, strings.TrimPrefix(name, "/"))
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, AccountID, name)
	}
	if service == "iam" {
		return fmt.Sprintf("arn:aws:iam::%s:%s/%s", AccountID, strings.ToLower(lastSegment(typeToken)), name)
	}
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service, region, AccountID, strings.ToLower(lastSegment(typeToken)), name)
}

func lastSegment(typeToken string) string {
	return typeToken[strings.LastIndex(typeToken, ":")+1:]
}

var idPrefixes = map[string]string{
	"aws:ec2/vpc:Vpc":                                           "vpc",
	"aws:ec2/subnet:Subnet":                                     "subnet",
	"aws:ec2/natGateway:NatGateway":                             "nat",
	"aws:ec2/internetGateway:InternetGateway":                   "igw",
	"aws:ec2/routeTable:RouteTable":                             "rtb",
	"aws:ec2/eip:Eip":                                           "eipalloc",
	"aws:ec2/securityGroup:SecurityGroup":                       "sg",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":         "sg",
	"aws:ec2/vpcEndpoint:VpcEndpoint":                           "vpce",
	"aws:ec2/launchTemplate:LaunchTemplate":                     "lt",
	"aws:ec2/flowLog:FlowLog":                                   "fl",
	"aws:ec2/routeTableAssociation:RouteTableAssociation":       "rtbassoc",
	"aws:ec2transitgateway/vpcAttachment:VpcAttachment":         "tgw-attach",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
	"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":   "sgr",
}

// String returns a known string property, looking through secrets and outputs; "" otherwise.
func String(props resource.PropertyMap, key resource.PropertyKey) string {
	v, ok := props[key]
	for ok {
		switch {
		case v.IsString():
			return v.StringValue()
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			ok = false
		}
	}
	return ""
}

func registerOutputs(typeToken string, fn outputFunc) { outputFns[typeToken] = fn }

func registerInvoke(token string, fn invokeFunc) { invokeFns[token] = fn }
