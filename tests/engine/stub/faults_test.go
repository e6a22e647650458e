package stub

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// faultDir is a fault directory holding the given plan.
func faultDir(t *testing.T, plan string) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(FaultDirVariable, dir)
	if err := os.WriteFile(filepath.Join(dir, "faults.json"), []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

const (
	nodeGroupURN = "urn:pulumi:dev::eks-platform::eks-platform:nodegroups:NodeGroups$aws:eks/nodeGroup:NodeGroup::general-dev"
	clusterURN   = "urn:pulumi:dev::eks-platform::eks:index:Cluster$aws:eks/cluster:Cluster::eks-platform-dev-eksCluster"
	groupURN     = "urn:pulumi:dev::eks-platform::aws:ec2/securityGroup:SecurityGroup::nodes-dev"
)

// A fail-once fault fails one create with the real provider's wording, records nothing, and the
// retry succeeds; a fault for another resource or operation does not fire; a selector by type and
// name, or by type, selects as documented; every create and delete lands in the ledgers.
func TestFailOnceThenRetrySucceeds(t *testing.T) {
	dir := faultDir(t, `[
	  {"resource": "aws:eks/nodeGroup:NodeGroup::general-dev", "op": "create", "mode": "fail-once", "error": "NodeCreationFailure"},
	  {"resource": "aws:ec2/securityGroup:SecurityGroup", "op": "delete", "mode": "fail-always", "error": "DependencyViolation"}
	]`)
	p := New("aws", "0", io.Discard)
	inputs := props(t, map[string]any{"clusterName": "eks-platform-dev", "nodeGroupName": "general-dev"})
	_, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: nodeGroupURN, Properties: inputs})
	want := "waiting for EKS Node Group (eks-platform-dev:general-dev) create: unexpected state 'CREATE_FAILED'"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "NodeCreationFailure") {
		t.Fatalf("first create: %v, want %q", err, want)
	}
	if got := lines(t, filepath.Join(dir, "created.log")); len(got) != 0 {
		t.Errorf("a failed create was recorded as created: %v", got)
	}
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: nodeGroupURN, Properties: inputs}); err != nil {
		t.Fatalf("the retry of a fail-once fault failed: %v", err)
	}
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: nodeGroupURN, Preview: true, Properties: inputs}); err != nil {
		t.Errorf("a preview fired a fault: %v", err)
	}
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: groupURN, Properties: props(t, nil)}); err != nil {
		t.Errorf("a delete fault fired on a create: %v", err)
	}
	for range 2 {
		err := func() error {
			_, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: groupURN, Id: "sg-0123"})
			return err
		}()
		if err == nil || !strings.Contains(err.Error(), "DependencyViolation: resource sg-0123 has a dependent object") {
			t.Errorf("a fail-always delete: %v", err)
		}
	}
	if got := lines(t, filepath.Join(dir, "created.log")); len(got) != 2 || got[0] != nodeGroupURN || got[1] != groupURN {
		t.Errorf("created.log = %v", got)
	}
	if got := lines(t, filepath.Join(dir, "deleted.log")); len(got) != 0 {
		t.Errorf("a refused delete was recorded: %v", got)
	}
}

// A stalled create leaves the resource in the cloud and answers only when the engine goes away;
// the cloud then refuses a second create of the same name as AWS does, until it is deleted. A read
// that knows only the ID (an adopted resource) gets the state a finished create has, as often as
// it asks; a read that carries state gets that state back.
func TestStalledCreateLeavesTheResourceInTheCloud(t *testing.T) {
	dir := faultDir(t, `[{"resource": "aws:eks/cluster:Cluster", "op": "create", "mode": "stall"}]`)
	p := New("aws", "0", io.Discard)
	inputs := props(t, map[string]any{"name": "eks-platform-dev", "roleArn": "arn:aws:iam::123456789012:role/r"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: clusterURN, Properties: inputs})
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(lines(t, filepath.Join(dir, "stalled"))) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the create did not stall")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := p.Cancel(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("Cancel ended the stall (%v): an AWS create under way cannot be aborted", err)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a stalled create answered")
	}

	_, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: clusterURN, Properties: inputs})
	if err == nil || !strings.Contains(err.Error(), "ResourceInUseException: Cluster already exists with name: eks-platform-dev") {
		t.Fatalf("a second create of the orphan's name: %v", err)
	}
	orphans, _ := filepath.Glob(filepath.Join(dir, "orphans", "*.json"))
	if len(orphans) != 1 {
		t.Fatalf("orphans: %v", orphans)
	}
	read, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: clusterURN, Id: "not-the-orphan"})
	if err != nil || read.GetProperties() != nil {
		t.Errorf("a read of another ID answered the orphan: %v, %v", read, err)
	}
	id := clusterIDOf(t, orphans[0])
	known := props(t, map[string]any{"name": "eks-platform-dev", "endpoint": "https://known"})
	read, err = p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: clusterURN, Id: id, Properties: known})
	if err != nil || read.GetProperties().GetFields()["endpoint"].GetStringValue() != "https://known" {
		t.Errorf("a refresh of a resource the engine knows got %v, %v", read, err)
	}
	for range 2 { // a preview of the refresh reads first, then the refresh itself
		read, err = p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: clusterURN, Id: id})
		if err != nil {
			t.Fatal(err)
		}
		state, _ := plugin.UnmarshalProperties(read.GetProperties(), plain)
		readInputs, _ := plugin.UnmarshalProperties(read.GetInputs(), plain)
		if read.GetId() != id || str(state, "endpoint") == "" || str(readInputs, "name") != "eks-platform-dev" {
			t.Errorf("the read of the adopted ID returned %s %v", read.GetId(), state)
		}
	}
	if _, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: clusterURN, Id: id}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: clusterURN, Properties: inputs}); err != nil {
		t.Errorf("after its delete the name is still taken: %v", err)
	}
}

func clusterIDOf(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), `"id":"`)
	if i < 0 {
		t.Fatalf("no id in %s", data)
	}
	rest := string(data)[i+6:]
	return rest[:strings.Index(rest, `"`)]
}

// A malformed plan fails loudly, naming what is wrong, instead of silently injecting nothing.
func TestFaultPlanErrorsAreLoud(t *testing.T) {
	p := New("aws", "0", io.Discard)
	faultDir(t, `[{"resource": "aws:eks/cluster:Cluster", "op": "create", "mode": "sometimes"}]`)
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: clusterURN, Properties: props(t, nil)}); err == nil || !strings.Contains(err.Error(), `"sometimes"`) {
		t.Errorf("unknown mode: %v", err)
	}
	faultDir(t, `[{"resource": "aws:eks/cluster:Cluster", "op": "create", "mode": "fail-always", "error": "Gremlins"}]`)
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: clusterURN, Properties: props(t, nil)}); err == nil || !strings.Contains(err.Error(), `"Gremlins"`) {
		t.Errorf("unknown error: %v", err)
	}
	faultDir(t, `{not json`)
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: clusterURN, Properties: props(t, nil)}); err == nil || !strings.Contains(err.Error(), "faults.json") {
		t.Errorf("malformed plan: %v", err)
	}
	faultDir(t, `[{"resource": "aws:eks/cluster:Cluster", "op": "update", "mode": "stall"}]`)
	if _, err := p.Update(context.Background(), &pulumirpc.UpdateRequest{Urn: clusterURN, News: props(t, nil)}); err == nil || !strings.Contains(err.Error(), "stalls only creates") {
		t.Errorf("a stalled update: %v", err)
	}
}
