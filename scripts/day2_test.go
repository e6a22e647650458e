package scripts

// Tests of the day-two commands of scripts/stack.sh (issue 14): destroy's leftover check, its
// --cleanup and the prod refusal, and upgrade-check. The fakes answer with recorded answers in
// the AWS CLI's and kubectl's JSON shapes (answers below, one per call the script makes).

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/acme/eks-platform/config"
)

const (
	testCluster = "eks-platform-dev"
	testVpc     = "vpc-0a1b2c3d4e5f60718"
	// The stack outputs destroy and upgrade-check read (README "Outputs").
	testOutputs = `{"clusterName":"eks-platform-dev","vpcId":"vpc-0a1b2c3d4e5f60718","region":"us-east-1","environment":"dev"}`

	webLoadBalancerArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-apps-web-4f2a9c1b7d/0123456789abcdef"
	webTargetGroupArn  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-apps-web-2b7e1d9f0a/89abcdef01234567"
	otherClusterLBArn  = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/k8s-team-api-9e8d7c6b5a/fedcba9876543210"
)

type answers map[string]string

// write records the answers for the fakes; after holds what they answer once a deletion ran.
func (f *fixture) write(t *testing.T, now, after answers) {
	t.Helper()
	for name, body := range now {
		writeFile(t, filepath.Join(f.answers, name+".json"), body, 0o644)
	}
	for name, body := range after {
		writeFile(t, filepath.Join(f.answers, "after", name+".json"), body, 0o644)
	}
}

// with returns a copy of a with the given answers replaced.
func (a answers) with(more answers) answers {
	out := answers{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

func eni(id, description, interfaceType, status string, deleteOnTermination bool, tags string) string {
	attachment := ""
	if status == "in-use" {
		attachment = fmt.Sprintf(`"Attachment":{"AttachTime":"2026-11-20T08:01:02+00:00","AttachmentId":"eni-attach-%s","DeleteOnTermination":%t,"DeviceIndex":1,"NetworkCardIndex":0,"InstanceId":"i-0123456789abcdef0","InstanceOwnerId":"123456789012","Status":"attached"},`, id[4:], deleteOnTermination)
	}
	return fmt.Sprintf(`{%s"AvailabilityZone":"us-east-1a","Description":%q,"Groups":[{"GroupName":"eks-cluster-sg-eks-platform-dev-1234567890","GroupId":"sg-0cluster"}],"InterfaceType":%q,"Ipv6Addresses":[],"MacAddress":"0a:1b:2c:3d:4e:5f","NetworkInterfaceId":%q,"OwnerId":"123456789012","PrivateDnsName":"ip-10-0-1-23.ec2.internal","PrivateIpAddress":"10.0.1.23","PrivateIpAddresses":[{"Primary":true,"PrivateDnsName":"ip-10-0-1-23.ec2.internal","PrivateIpAddress":"10.0.1.23"}],"RequesterManaged":%t,"SourceDestCheck":true,"Status":%q,"SubnetId":"subnet-0aaa1111bbbb2222c","TagSet":[%s],"VpcId":"vpc-0a1b2c3d4e5f60718"}`,
		attachment, description, interfaceType, id, interfaceType != "interface", status, tags)
}

var cniTags = `{"Key":"cluster.k8s.amazonaws.com/name","Value":"eks-platform-dev"},{"Key":"node.k8s.amazonaws.com/instance_id","Value":"i-0123456789abcdef0"}`

// pulumiOwnedENIs are what a running stack always has in its VPC and Pulumi's destroy removes:
// a NAT gateway's and an interface endpoint's ENIs, and a vpc-cni ENI attached to a node with
// DeleteOnTermination, which goes with the node.
var pulumiOwnedENIs = []string{
	eni("eni-0nat0000000000001", "Interface for NAT Gateway nat-0a1b2c3d4e5f60718", "nat_gateway", "in-use", false, ""),
	eni("eni-0vpce000000000001", "VPC Endpoint Interface vpce-0a1b2c3d4e5f60718", "vpc_endpoint", "in-use", false, ""),
	eni("eni-0cni0000000000001", "aws-K8S-i-0123456789abcdef0", "interface", "in-use", true, cniTags),
	eni("eni-0eks0000000000001", "Amazon EKS eks-platform-dev", "interface", "in-use", false, ""),
}

func networkInterfaces(extra ...string) string {
	return `{"NetworkInterfaces":[` + strings.Join(append(slices.Clone(pulumiOwnedENIs), extra...), ",") + `]}`
}

// retainedPV and deletePV are PersistentVolumes of the EBS CSI driver as `kubectl get pv -o json`
// prints them.
func persistentVolume(name, volume, policy, namespace, claim string) string {
	return fmt.Sprintf(`{"apiVersion":"v1","kind":"PersistentVolume","metadata":{"annotations":{"pv.kubernetes.io/provisioned-by":"ebs.csi.aws.com"},"name":%q},"spec":{"accessModes":["ReadWriteOnce"],"capacity":{"storage":"20Gi"},"claimRef":{"apiVersion":"v1","kind":"PersistentVolumeClaim","name":%q,"namespace":%q},"csi":{"driver":"ebs.csi.aws.com","fsType":"ext4","volumeHandle":%q},"persistentVolumeReclaimPolicy":%q,"storageClassName":"gp3-encrypted","volumeMode":"Filesystem"},"status":{"phase":"Bound"}}`,
		name, claim, namespace, volume, policy)
}

func list(items ...string) string {
	return `{"apiVersion":"v1","items":[` + strings.Join(items, ",") + `],"kind":"List","metadata":{"resourceVersion":""}}`
}

var (
	retainedPV = persistentVolume("pvc-7a1c0e52-9d3b-4c1e-8f0a-1b2c3d4e5f60", "vol-0retained00000001", "Retain", "apps", "archive")
	deletePV   = persistentVolume("pvc-3f6c2a10-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "vol-0d1e2f3a4b5c6d7e8", "Delete", "apps", "data-postgres-0")

	ebsVolume = func(id string) string {
		return fmt.Sprintf(`{"Attachments":[],"AvailabilityZone":"us-east-1a","CreateTime":"2026-11-20T08:05:00+00:00","Encrypted":true,"KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","Size":20,"SnapshotId":"","State":"available","VolumeId":%q,"Iops":3000,"Tags":[{"Key":"ebs.csi.aws.com/cluster","Value":"true"},{"Key":"KubernetesCluster","Value":"eks-platform-dev"},{"Key":"CSIVolumeName","Value":"pvc-x"}],"VolumeType":"gp3","MultiAttachEnabled":false,"Throughput":125}`, id)
	}
	veleroSnapshot = `{"Snapshots":[{"Description":"Created by AWS EBS CSI driver for volume vol-0d1e2f3a4b5c6d7e8","Encrypted":true,"KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","OwnerId":"123456789012","Progress":"100%","SnapshotId":"snap-0velero000000001","StartTime":"2026-11-30T02:00:11+00:00","State":"completed","VolumeId":"vol-0d1e2f3a4b5c6d7e8","VolumeSize":20,"Tags":[{"Key":"CSIVolumeSnapshotName","Value":"snapcontent-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"},{"Key":"ebs.csi.aws.com/cluster","Value":"true"},{"Key":"KubernetesCluster","Value":"eks-platform-dev"}],"StorageTier":"standard"}]}`
)

// cleanCluster is a running stack with nothing outside Pulumi that blocks its destroy: one load
// balancer in the VPC belongs to another cluster, and a retained volume and a backup snapshot
// stay on purpose.
func cleanCluster() answers {
	return answers{
		"aws.elbv2.describe-load-balancers":   `{"LoadBalancers":[{"LoadBalancerArn":"` + otherClusterLBArn + `","DNSName":"k8s-team-api-9e8d7c6b5a.elb.us-east-1.amazonaws.com","CanonicalHostedZoneId":"Z26RNL4JYFTOTI","CreatedTime":"2026-10-01T12:00:00+00:00","LoadBalancerName":"k8s-team-api-9e8d7c6b5a","Scheme":"internal","VpcId":"vpc-0a1b2c3d4e5f60718","State":{"Code":"active"},"Type":"network","AvailabilityZones":[{"ZoneName":"us-east-1a","SubnetId":"subnet-0aaa1111bbbb2222c","LoadBalancerAddresses":[]}],"IpAddressType":"ipv4"}]}`,
		"aws.elbv2.describe-target-groups":    `{"TargetGroups":[]}`,
		"aws.elbv2.describe-tags":             `{"TagDescriptions":[{"ResourceArn":"` + otherClusterLBArn + `","Tags":[{"Key":"elbv2.k8s.aws/cluster","Value":"eks-platform-other"},{"Key":"service.k8s.aws/stack","Value":"team/api"}]}]}`,
		"aws.ec2.describe-security-groups":    `{"SecurityGroups":[]}`,
		"aws.ec2.describe-network-interfaces": networkInterfaces(),
		"aws.ec2.describe-volumes":            `{"Volumes":[` + ebsVolume("vol-0retained00000001") + `]}`,
		"aws.ec2.describe-snapshots":          veleroSnapshot,
		"kubectl.get.persistentvolumes":       list(retainedPV),
	}
}

// leftovers adds what an Ingress, a LoadBalancer Service and a StatefulSet's claim left: the
// load balancer controller's load balancer, target group and security group, and a Delete volume.
var leftovers = answers{
	"aws.elbv2.describe-load-balancers": `{"LoadBalancers":[{"LoadBalancerArn":"` + webLoadBalancerArn + `","DNSName":"k8s-apps-web-4f2a9c1b7d-1234567890.us-east-1.elb.amazonaws.com","CanonicalHostedZoneId":"Z35SXDOTRQ7X7K","CreatedTime":"2026-11-20T09:12:44.120000+00:00","LoadBalancerName":"k8s-apps-web-4f2a9c1b7d","Scheme":"internet-facing","VpcId":"vpc-0a1b2c3d4e5f60718","State":{"Code":"active"},"Type":"application","AvailabilityZones":[{"ZoneName":"us-east-1a","SubnetId":"subnet-0pub1111bbbb2222c","LoadBalancerAddresses":[]}],"SecurityGroups":["sg-0f1e2d3c4b5a69788"],"IpAddressType":"ipv4"},{"LoadBalancerArn":"` + otherClusterLBArn + `","LoadBalancerName":"k8s-team-api-9e8d7c6b5a","VpcId":"vpc-0a1b2c3d4e5f60718","State":{"Code":"active"},"Type":"network","IpAddressType":"ipv4"}]}`,
	"aws.elbv2.describe-target-groups":  `{"TargetGroups":[{"TargetGroupArn":"` + webTargetGroupArn + `","TargetGroupName":"k8s-apps-web-2b7e1d9f0a","Protocol":"HTTP","Port":8080,"VpcId":"vpc-0a1b2c3d4e5f60718","HealthCheckProtocol":"HTTP","HealthCheckPort":"traffic-port","HealthCheckEnabled":true,"HealthCheckIntervalSeconds":15,"HealthCheckTimeoutSeconds":5,"HealthyThresholdCount":2,"UnhealthyThresholdCount":2,"HealthCheckPath":"/","Matcher":{"HttpCode":"200"},"LoadBalancerArns":["` + webLoadBalancerArn + `"],"TargetType":"ip","ProtocolVersion":"HTTP1","IpAddressType":"ipv4"}]}`,
	"aws.elbv2.describe-tags":           `{"TagDescriptions":[{"ResourceArn":"` + webLoadBalancerArn + `","Tags":[{"Key":"elbv2.k8s.aws/cluster","Value":"eks-platform-dev"},{"Key":"ingress.k8s.aws/stack","Value":"apps/web"},{"Key":"ingress.k8s.aws/resource","Value":"LoadBalancer"}]},{"ResourceArn":"` + webTargetGroupArn + `","Tags":[{"Key":"elbv2.k8s.aws/cluster","Value":"eks-platform-dev"},{"Key":"ingress.k8s.aws/stack","Value":"apps/web"},{"Key":"ingress.k8s.aws/resource","Value":"apps/web-web:80"}]},{"ResourceArn":"` + otherClusterLBArn + `","Tags":[{"Key":"elbv2.k8s.aws/cluster","Value":"eks-platform-other"}]}]}`,
	"aws.ec2.describe-security-groups":  `{"SecurityGroups":[{"Description":"[k8s] Managed SecurityGroup for LoadBalancer","GroupName":"k8s-apps-web-4f2a9c1b7d","IpPermissions":[],"OwnerId":"123456789012","GroupId":"sg-0f1e2d3c4b5a69788","IpPermissionsEgress":[],"Tags":[{"Key":"elbv2.k8s.aws/cluster","Value":"eks-platform-dev"},{"Key":"ingress.k8s.aws/stack","Value":"apps/web"}],"VpcId":"vpc-0a1b2c3d4e5f60718"}]}`,
	"aws.ec2.describe-volumes":          `{"Volumes":[` + ebsVolume("vol-0retained00000001") + `,` + ebsVolume("vol-0d1e2f3a4b5c6d7e8") + `]}`,
	"kubectl.get.persistentvolumes":     list(retainedPV, deletePV),
}

// The Kubernetes objects that own the leftovers, and one LoadBalancer Service in kube-system that
// --cleanup must not touch.
var kubernetesObjects = answers{
	"kubectl.get.ingresses": list(`{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web","namespace":"apps"},"spec":{"ingressClassName":"alb","rules":[{"http":{"paths":[{"backend":{"service":{"name":"web","port":{"number":80}}},"path":"/","pathType":"Prefix"}]}}]}}`),
	"kubectl.get.services": list(
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes","namespace":"default"},"spec":{"type":"ClusterIP","clusterIP":"172.20.0.1"}}`,
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"apps"},"spec":{"type":"ClusterIP","clusterIP":"172.20.4.12"}}`,
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"web-nlb","namespace":"apps"},"spec":{"type":"LoadBalancer","loadBalancerClass":"service.k8s.aws/nlb"}}`,
		`{"apiVersion":"v1","kind":"Service","metadata":{"name":"dns-lb","namespace":"kube-system"},"spec":{"type":"LoadBalancer","loadBalancerClass":"service.k8s.aws/nlb"}}`),
	"kubectl.get.persistentvolumeclaims": list(
		`{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data-postgres-0","namespace":"apps"},"spec":{"storageClassName":"gp3-encrypted","volumeName":"pvc-3f6c2a10-5b7d-4e8f-9a0b-1c2d3e4f5a6b"},"status":{"phase":"Bound"}}`,
		`{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"archive","namespace":"apps"},"spec":{"storageClassName":"gp3-encrypted","volumeName":"pvc-7a1c0e52-9d3b-4c1e-8f0a-1b2c3d4e5f60"},"status":{"phase":"Bound"}}`),
	"kubectl.get.pods": list(
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"postgres-0","namespace":"apps","ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"postgres","controller":true}]},"spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data-postgres-0"}},{"name":"kube-api-access-x","projected":{"sources":[]}}]}}`,
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"restore-check","namespace":"apps"},"spec":{"volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data-postgres-0","readOnly":true}}]}}`,
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-6d9f7c-abcde","namespace":"apps","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-6d9f7c"}]},"spec":{"volumes":[{"name":"tmp","emptyDir":{}}]}}`),
}

var (
	destroyDev = map[string]string{"EKS_PLATFORM_CONFIRM_DESTROY": "dev", "FAKE_PULUMI_OUTPUTS": testOutputs}
	// The leftover lines the check prints, one per resource.
	wantLeftovers = []string{
		"load balancer k8s-apps-web-4f2a9c1b7d (application, " + webLoadBalancerArn + ")",
		"target group k8s-apps-web-2b7e1d9f0a (" + webTargetGroupArn + ")",
		"security group sg-0f1e2d3c4b5a69788 (k8s-apps-web-4f2a9c1b7d) of the load balancer controller",
		"EBS volume vol-0d1e2f3a4b5c6d7e8 (PersistentVolume pvc-3f6c2a10-5b7d-4e8f-9a0b-1c2d3e4f5a6b, claim apps/data-postgres-0, reclaim policy Delete)",
	}
	// What is never deleted and never blocks: a retained volume and a backup snapshot.
	wantKept = []string{
		"EBS volume vol-0retained00000001: PersistentVolume pvc-7a1c0e52-9d3b-4c1e-8f0a-1b2c3d4e5f60 has reclaim policy Retain",
		"EBS snapshot snap-0velero000000001 of vol-0d1e2f3a4b5c6d7e8 (snapcontent-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9): a backup",
	}
	// Pulumi's own or another cluster's: never a leftover of this stack.
	notLeftovers = []string{"eni-0nat0000000000001", "eni-0vpce000000000001", "eni-0cni0000000000001", "eni-0eks0000000000001", "k8s-team-api-9e8d7c6b5a", "vol-0retained00000001 (", "snap-0velero000000001 ("}
)

func (r result) indexOf(prefix string) int {
	return slices.IndexFunc(r.calls, func(call string) bool { return strings.HasPrefix(call, prefix) })
}

func (r result) lastIndexOf(prefix string) int {
	for i := len(r.calls) - 1; i >= 0; i-- {
		if strings.HasPrefix(r.calls[i], prefix) {
			return i
		}
	}
	return -1
}

// Issue 14: with nothing left outside Pulumi, destroy checks every kind of leftover of this
// cluster in this VPC, lists what it keeps, and destroys.
func TestDestroyClean(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, cleanCluster(), nil)
	r := f.run(t, destroyDev, "destroy", "dev")
	if r.code != 0 || !r.called("pulumi destroy --stack dev --non-interactive --yes") {
		t.Fatalf("exit %d, stderr %q, calls %q; want the stack destroyed", r.code, r.stderr, r.calls)
	}
	for _, want := range []string{
		// Tearing down a stack never creates it.
		"pulumi stack select --non-interactive dev",
		"aws eks update-kubeconfig --region us-east-1 --name eks-platform-dev --kubeconfig ",
		"aws elbv2 describe-load-balancers --region us-east-1 --output json",
		"aws elbv2 describe-target-groups --region us-east-1 --output json",
		"aws elbv2 describe-tags --resource-arns " + otherClusterLBArn + " --region us-east-1 --output json",
		"aws ec2 describe-security-groups --filters Name=vpc-id,Values=" + testVpc + " Name=tag:elbv2.k8s.aws/cluster,Values=" + testCluster,
		"aws ec2 describe-network-interfaces --filters Name=vpc-id,Values=" + testVpc,
		"aws ec2 describe-volumes --filters Name=tag:KubernetesCluster,Values=" + testCluster,
		"aws ec2 describe-snapshots --owner-ids self --filters Name=tag:KubernetesCluster,Values=" + testCluster,
		"kubectl get persistentvolumes -o json",
	} {
		if !r.called(want) {
			t.Errorf("missing call %q; calls %q", want, r.calls)
		}
	}
	// kubectl talks to this stack's cluster through the kubeconfig written for it, never the
	// caller's current context.
	kubeconfig := regexp.MustCompile(`--kubeconfig (\S+)`).FindStringSubmatch(r.calls[r.indexOf("aws eks update-kubeconfig")])
	if call := r.calls[r.indexOf("kubectl get persistentvolumes")]; kubeconfig == nil || !strings.HasSuffix(call, "KUBECONFIG="+kubeconfig[1]) {
		t.Errorf("kubectl call %q does not use the kubeconfig written for the cluster (%v)", call, kubeconfig)
	}
	for _, want := range wantKept {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks kept %q:\n%s", want, r.stdout)
		}
	}
	if r.called("kubectl delete") {
		t.Errorf("destroy without --cleanup deleted Kubernetes objects: %q", r.calls)
	}
}

// Issue 14: leftovers stop the destroy before anything is deleted, and each one is named; what
// Pulumi owns, what another cluster owns and what is kept on purpose is not among them.
func TestDestroyBlockedByLeftovers(t *testing.T) {
	t.Parallel()
	for name, extra := range map[string]answers{
		"load balancer controller and EBS": leftovers,
		"detached ENI": {"aws.ec2.describe-network-interfaces": networkInterfaces(
			eni("eni-0stray00000000001", "aws-K8S-i-0fedcba9876543210", "interface", "available", false, cniTags))},
		"vpc-cni ENI that outlives its node": {"aws.ec2.describe-network-interfaces": networkInterfaces(
			eni("eni-0keep000000000001", "aws-K8S-i-0123456789abcdef0", "interface", "in-use", false, cniTags))},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			f.write(t, cleanCluster().with(extra), nil)
			r := f.run(t, destroyDev, "destroy", "dev")
			if r.code == 0 || r.called("pulumi destroy") || r.called("kubectl delete") || r.called("kubectl get ingresses") {
				t.Fatalf("exit %d, calls %q; want a stop before anything is deleted or cleaned up", r.code, r.calls)
			}
			if !strings.Contains(r.stderr, "error: stack dev: the cluster's controllers left resources that Pulumi does not own; nothing was deleted") {
				t.Errorf("stderr %q lacks the reason", r.stderr)
			}
			want := wantLeftovers
			switch name {
			case "detached ENI":
				want = []string{`network interface eni-0stray00000000001 (available, subnet subnet-0aaa1111bbbb2222c, "aws-K8S-i-0fedcba9876543210"): detached, blocks its subnet`}
			case "vpc-cni ENI that outlives its node":
				want = []string{`network interface eni-0keep000000000001 (in-use, subnet subnet-0aaa1111bbbb2222c, "aws-K8S-i-0123456789abcdef0"): survives its node`}
			}
			for _, line := range want {
				if !strings.Contains(r.stderr, "  - "+line+"\n") {
					t.Errorf("stderr lacks leftover %q:\n%s", line, r.stderr)
				}
			}
			for _, id := range notLeftovers {
				if strings.Contains(r.stderr, id) {
					t.Errorf("stderr names %q, which is not a leftover of this stack:\n%s", id, r.stderr)
				}
			}
		})
	}
}

// Issue 14: --cleanup deletes the Kubernetes objects that own the leftovers (never in the
// platform's namespaces, never a Retain claim), waits until AWS has removed what they owned,
// and only then destroys the stack.
func TestDestroyCleanup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, cleanCluster().with(leftovers).with(kubernetesObjects), cleanCluster())
	env := map[string]string{"EKS_PLATFORM_CLEANUP_POLL_SECONDS": "0"}
	for k, v := range destroyDev {
		env[k] = v
	}
	r := f.run(t, env, "destroy", "dev", "--cleanup")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q, calls %q", r.code, r.stderr, r.calls)
	}
	var deletes []string
	for _, call := range r.calls {
		if strings.HasPrefix(call, "kubectl delete") {
			deletes = append(deletes, strings.Split(call, " | ")[0])
		}
	}
	wantDeletes := []string{
		"kubectl delete ingress web --namespace apps --wait=false",
		"kubectl delete service web-nlb --namespace apps --wait=false",
		"kubectl delete statefulset postgres --namespace apps --wait=false",
		"kubectl delete persistentvolumeclaim data-postgres-0 --namespace apps --wait=false",
		"kubectl delete pod restore-check --namespace apps --wait=false",
	}
	if !slices.Equal(deletes, wantDeletes) {
		t.Errorf("deleted\n  %s\nwant\n  %s", strings.Join(deletes, "\n  "), strings.Join(wantDeletes, "\n  "))
	}
	lastDelete := r.lastIndexOf("kubectl delete")
	destroy := r.indexOf("pulumi destroy --stack dev")
	recheck := slices.IndexFunc(r.calls[lastDelete+1:], func(c string) bool { return strings.HasPrefix(c, "aws elbv2 describe-load-balancers") })
	if r.indexOf("kubectl delete") < r.indexOf("aws elbv2 describe-load-balancers") || recheck < 0 || destroy < lastDelete+1+recheck {
		t.Errorf("want check, deletes, check again, destroy in that order; calls %q", r.calls)
	}
	if !strings.Contains(r.stdout, "the cluster's controllers removed what they had created") {
		t.Errorf("stdout %q", r.stdout)
	}
}

// Issue 14: the wait is bounded; when the leftovers do not go away the stack is not destroyed.
func TestDestroyCleanupTimesOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, cleanCluster().with(leftovers).with(kubernetesObjects), nil)
	env := map[string]string{"EKS_PLATFORM_CLEANUP_TIMEOUT_SECONDS": "0", "EKS_PLATFORM_CLEANUP_POLL_SECONDS": "0"}
	for k, v := range destroyDev {
		env[k] = v
	}
	r := f.run(t, env, "destroy", "dev", "--cleanup")
	if r.code == 0 || r.called("pulumi destroy") {
		t.Fatalf("exit %d, calls %q; want no destroy", r.code, r.calls)
	}
	if !strings.Contains(r.stderr, "error: stack dev: after 0s these still exist; nothing of the stack was destroyed:") ||
		!strings.Contains(r.stderr, wantLeftovers[0]) {
		t.Errorf("stderr %q", r.stderr)
	}
}

// Issue 14: what no Kubernetes object outside the protected namespaces owns cannot be cleaned
// up by deleting objects: --cleanup says so before it deletes anything.
func TestDestroyCleanupRefusesWhatItCannotRemove(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, cleanCluster().with(leftovers).with(kubernetesObjects).with(answers{
		"aws.ec2.describe-network-interfaces": networkInterfaces(eni("eni-0stray00000000001", "aws-K8S-i-0fedcba9876543210", "interface", "available", false, cniTags)),
	}), cleanCluster())
	r := f.run(t, destroyDev, "destroy", "dev", "--cleanup")
	if r.code == 0 || r.called("kubectl delete") || r.called("pulumi destroy") {
		t.Fatalf("exit %d, calls %q; want a stop before any deletion", r.code, r.calls)
	}
	if !strings.Contains(r.stderr, "--cleanup cannot remove these, so it deleted nothing:\n  - network interface eni-0stray00000000001") {
		t.Errorf("stderr %q", r.stderr)
	}
}

// Issue 14: prod refuses --cleanup unless its protection is lifted: the operator says so
// (EKS_PLATFORM_LIFT_PROTECTION) and the state holds no protected resource any more. Only then
// does it delete anything.
func TestDestroyCleanupInProd(t *testing.T) {
	t.Parallel()
	prodOutputs := strings.Replace(testOutputs, `"environment":"dev"`, `"environment":"prod"`, 1)
	confirmed := map[string]string{"EKS_PLATFORM_CONFIRM_DESTROY": "prod", "FAKE_PULUMI_OUTPUTS": prodOutputs, "EKS_PLATFORM_CLEANUP_POLL_SECONDS": "0"}
	protectedState := `{"version":3,"deployment":{"manifest":{"time":"2026-11-30T10:00:00Z"},"resources":[{"urn":"urn:pulumi:prod::eks-platform::pulumi:pulumi:Stack::eks-platform-prod","custom":false,"type":"pulumi:pulumi:Stack"},{"urn":"urn:pulumi:prod::eks-platform::aws:kms/key:Key::eks-secrets-prod","custom":true,"id":"1234abcd","type":"aws:kms/key:Key","protect":true},{"urn":"urn:pulumi:prod::eks-platform::aws:s3/bucketV2:BucketV2::velero-prod","custom":true,"id":"velero-eks-platform-prod-123456789012","type":"aws:s3/bucketV2:BucketV2","protect":true,"retainOnDelete":true}]}}`
	liftedState := strings.ReplaceAll(protectedState, `"protect":true`, `"protect":false`)

	f := newFixture(t, fixtureOptions{})
	f.write(t, cleanCluster().with(leftovers).with(kubernetesObjects).with(answers{"pulumi.stack.export": protectedState}), cleanCluster())
	r := f.run(t, confirmed, "destroy", "prod", "--cleanup")
	if r.code == 0 || !strings.Contains(r.stderr, "error: stack prod is prod: --cleanup deletes its load balancers and volumes only once its protection is lifted") {
		t.Fatalf("without EKS_PLATFORM_LIFT_PROTECTION: exit %d, stderr %q", r.code, r.stderr)
	}
	if touched := r.mutatingCalls(); len(touched) > 0 {
		t.Fatalf("refusal still ran %q", touched)
	}

	confirmed["EKS_PLATFORM_LIFT_PROTECTION"] = "prod"
	r = f.run(t, confirmed, "destroy", "prod", "--cleanup")
	if r.code == 0 || !strings.Contains(r.stderr, "error: stack prod still protects 2 resources: --cleanup runs only after the protection is lifted (pulumi state unprotect --all --stack prod") {
		t.Fatalf("protected state: exit %d, stderr %q", r.code, r.stderr)
	}
	if r.called("kubectl delete") || r.called("pulumi destroy") {
		t.Fatalf("protected state: still ran %q", r.calls)
	}

	f = newFixture(t, fixtureOptions{})
	f.write(t, cleanCluster().with(leftovers).with(kubernetesObjects).with(answers{"pulumi.stack.export": liftedState}), cleanCluster())
	r = f.run(t, confirmed, "destroy", "prod", "--cleanup")
	if r.code != 0 || !r.called("kubectl delete ingress web") || !r.called("pulumi destroy --stack prod") {
		t.Fatalf("lifted protection: exit %d, stderr %q, calls %q; want cleanup and destroy", r.code, r.stderr, r.calls)
	}
}

// The namespaces --cleanup never touches are the platform's and Kubernetes' own, as the
// configuration reserves them, except "default", where teams' Services may live.
func TestCleanupProtectsThePlatformNamespaces(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(moduleRoot(t), "scripts", "day2.sh"))
	if err != nil {
		t.Fatal(err)
	}
	match := regexp.MustCompile(`(?m)^protected_namespaces=\(([^)]*)\)`).FindSubmatch(data)
	if match == nil {
		t.Fatal("scripts/day2.sh has no protected_namespaces=(...) line")
	}
	got := strings.Fields(string(match[1]))
	want := slices.DeleteFunc(slices.Clone(config.ReservedNamespaces), func(ns string) bool { return ns == "default" })
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("protected_namespaces = %v, want config.ReservedNamespaces without default: %v", got, want)
	}
}

// --- upgrade-check ------------------------------------------------------------------------------

var nodeGroupNames = []string{"app-nodes-dev-20260302101112", "gpu-nodes-dev-20260302101112", "system-nodes-dev-20260302101112"}

func describeCluster(version, status string) string {
	return fmt.Sprintf(`{"cluster":{"name":"eks-platform-dev","arn":"arn:aws:eks:us-east-1:123456789012:cluster/eks-platform-dev","createdAt":"2026-03-02T10:11:12.000000+00:00","version":%q,"endpoint":"https://0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com","roleArn":"arn:aws:iam::123456789012:role/eks-cluster-dev","resourcesVpcConfig":{"subnetIds":["subnet-0aaa1111bbbb2222c"],"securityGroupIds":[],"clusterSecurityGroupId":"sg-0cluster","vpcId":"vpc-0a1b2c3d4e5f60718","endpointPublicAccess":true,"endpointPrivateAccess":true,"publicAccessCidrs":["203.0.113.0/24"]},"kubernetesNetworkConfig":{"serviceIpv4Cidr":"172.20.0.0/16","ipFamily":"ipv4"},"status":%q,"platformVersion":"eks.9","tags":{},"upgradePolicy":{"supportType":"STANDARD"}}}`, version, status)
}

func describeNodegroup(name, version string) string {
	return fmt.Sprintf(`{"nodegroup":{"nodegroupName":%q,"nodegroupArn":"arn:aws:eks:us-east-1:123456789012:nodegroup/eks-platform-dev/%s/0ac9","clusterName":"eks-platform-dev","version":%q,"releaseVersion":"1.44.0-8f3a2b1c","status":"ACTIVE","capacityType":"ON_DEMAND","scalingConfig":{"minSize":1,"maxSize":3,"desiredSize":2},"amiType":"BOTTLEROCKET_x86_64","nodeRepairConfig":{"enabled":true}}}`, name, name, version)
}

func addonVersions(addon string, builds ...string) string {
	var versions []string
	for _, build := range builds {
		versions = append(versions, fmt.Sprintf(`{"addonVersion":%q,"architecture":["amd64","arm64"],"computeTypes":["ec2","hybrid"],"compatibilities":[{"clusterVersion":"1.35","platformVersions":["*"],"defaultVersion":false}],"requiresConfiguration":false,"requiresIamPermissions":false}`, build))
	}
	return fmt.Sprintf(`{"addons":[{"addonName":%q,"type":"networking","addonVersions":[%s],"publisher":"eks","owner":"aws"}]}`, addon, strings.Join(versions, ","))
}

const (
	skewInsightID       = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
	deprecatedInsightID = "f0e1d2c3-b4a5-4968-8776-655443322110"
)

func insight(id, name, status, reason string) string {
	return fmt.Sprintf(`{"id":%q,"name":%q,"category":"UPGRADE_READINESS","kubernetesVersion":"1.35","lastRefreshTime":"2026-11-30T08:00:00+00:00","lastTransitionTime":"2026-11-29T08:00:00+00:00","description":"Checks the cluster for %s before an upgrade to 1.35.","insightStatus":{"status":%q,"reason":%q}}`, id, name, name, status, reason)
}

func listInsights(deprecatedStatus string) string {
	return `{"insights":[` + insight(skewInsightID, "Kubelet version skew", "PASSING", "Node kubelet versions match the cluster control plane version.") + "," +
		insight(deprecatedInsightID, "Deprecated APIs removed in Kubernetes v1.35", deprecatedStatus, "Deprecated API usage detected within last 30 days.") + `]}`
}

func describeInsight(status string) string {
	return `{"insight":{"id":"` + deprecatedInsightID + `","name":"Deprecated APIs removed in Kubernetes v1.35","category":"UPGRADE_READINESS","kubernetesVersion":"1.35","lastRefreshTime":"2026-11-30T08:00:00+00:00","lastTransitionTime":"2026-11-29T08:00:00+00:00","description":"Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v1.35.","insightStatus":{"status":"` + status + `","reason":"Deprecated API usage detected within last 30 days."},"recommendation":"Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.35.","additionalInfo":{"EKS update cluster documentation":"https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html"},"resources":[],"categorySpecificSummary":{"deprecationDetails":[{"usage":"/apis/example.k8s.io/v1beta1/widgets","replacedWith":"/apis/example.k8s.io/v1/widgets","stopServingVersion":"1.35","startServingReplacementVersion":"1.33","clientStats":[{"userAgent":"helm","numberOfRequestsLast30Days":14,"lastRequestTime":"2026-11-29T17:02:11+00:00"}]}],"addonCompatibilityDetails":[]}}}`
}

// readyFor135 is a dev cluster at 1.34 whose node groups are at 1.34, with an EKS build of every
// catalogue pin for 1.35 and only passing insights.
func readyFor135() answers {
	a := answers{
		"aws.eks.describe-cluster": describeCluster("1.34", "ACTIVE"),
		"aws.eks.list-nodegroups":  `{"nodegroups":["` + strings.Join(nodeGroupNames, `","`) + `"]}`,
		"aws.eks.list-insights":    listInsights("PASSING"),
	}
	for _, name := range nodeGroupNames {
		a["aws.eks.describe-nodegroup."+name] = describeNodegroup(name, "1.34")
	}
	for addon, pin := range map[string]string{
		"vpc-cni": "v1.21.1-eksbuild.1", "kube-proxy": "v1.35.0-eksbuild.2", "coredns": "v1.13.1-eksbuild.1",
		"aws-ebs-csi-driver": "v1.53.0-eksbuild.1", "snapshot-controller": "v8.4.0-eksbuild.1",
		"amazon-cloudwatch-observability": "v4.7.0-eksbuild.1",
	} {
		a["aws.eks.describe-addon-versions."+addon] = addonVersions(addon, "v0.0.1-eksbuild.1", pin)
	}
	return a
}

var upgradeEnv = map[string]string{"FAKE_PULUMI_OUTPUTS": testOutputs, "EKS_PLATFORM_TODAY": "2026-12-01"}

// Issue 14: a cluster ready for the next minor gets GO, after every check ran against this
// cluster and the target version.
func TestUpgradeCheckGo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, readyFor135(), nil)
	r := f.run(t, upgradeEnv, "upgrade-check", "dev", "1.35")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "GO: stack dev can be upgraded to Kubernetes 1.35\n") || strings.Contains(r.stdout, "BLOCKER") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want GO", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"aws eks describe-cluster --name eks-platform-dev --region us-east-1 --output json",
		"aws eks list-nodegroups --cluster-name eks-platform-dev",
		"aws eks describe-nodegroup --cluster-name eks-platform-dev --nodegroup-name gpu-nodes-dev-20260302101112",
		"aws eks describe-addon-versions --addon-name amazon-cloudwatch-observability --kubernetes-version 1.35",
		`aws eks list-insights --cluster-name eks-platform-dev --filter {"categories":["UPGRADE_READINESS"],"kubernetesVersions":["1.35"]}`,
	} {
		if !r.called(want) {
			t.Errorf("missing call %q; calls %q", want, r.calls)
		}
	}
	for _, want := range []string{
		"ok: Kubernetes 1.35 is in standard support until 2027-03-27",
		"ok: the control plane runs 1.34, one minor below 1.35",
		"ok: node group system-nodes-dev-20260302101112 runs 1.34",
		"ok: add-on snapshot-controller v8.4.0-eksbuild.1 is built for Kubernetes 1.35",
	} {
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, prefix := range []string{"kubectl", "pulumi up", "pulumi preview", "pulumi destroy", "pulumi refresh", "pulumi state", "aws eks update-"} {
		if r.called(prefix) {
			t.Errorf("upgrade-check ran %s: %q", prefix, r.calls)
		}
	}
}

// Issue 14: each blocker alone turns the answer into NO-GO with a non-zero exit, and names what
// to fix.
func TestUpgradeCheckBlockers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stack, target string
		env                 map[string]string
		answers             answers
		want                string
	}{
		{
			name: "ERROR insight", answers: answers{"aws.eks.list-insights": listInsights("ERROR"), "aws.eks.describe-insight." + deprecatedInsightID: describeInsight("ERROR")},
			want: "BLOCKER: insight Deprecated APIs removed in Kubernetes v1.35 (" + deprecatedInsightID + "): ERROR: Deprecated API usage detected within last 30 days.\n" +
				"  recommendation: Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.35.\n" +
				"  /apis/example.k8s.io/v1beta1/widgets stops being served in 1.35; use /apis/example.k8s.io/v1/widgets; called by helm (14 requests in 30 days)\n",
		},
		{
			name: "ERROR insight even if acknowledged", env: map[string]string{"EKS_PLATFORM_ACK_INSIGHTS": deprecatedInsightID},
			answers: answers{"aws.eks.list-insights": listInsights("ERROR"), "aws.eks.describe-insight." + deprecatedInsightID: describeInsight("ERROR")},
			want:    "BLOCKER: insight Deprecated APIs removed in Kubernetes v1.35 (" + deprecatedInsightID + "): ERROR",
		},
		{
			name: "unacknowledged WARNING insight", answers: answers{"aws.eks.list-insights": listInsights("WARNING"), "aws.eks.describe-insight." + deprecatedInsightID: describeInsight("WARNING")},
			want: "BLOCKER: insight Deprecated APIs removed in Kubernetes v1.35 (" + deprecatedInsightID + "): WARNING",
		},
		{
			name: "add-on pin without a build for the target", answers: answers{"aws.eks.describe-addon-versions.coredns": addonVersions("coredns", "v1.12.4-eksbuild.1")},
			want: "BLOCKER: add-on coredns v1.13.1-eksbuild.1 (catalogue pin for 1.35) is not listed by aws eks describe-addon-versions --kubernetes-version 1.35\n",
		},
		{
			name: "stack file overrides an add-on pin", stack: "pinned",
			want: "BLOCKER: Pulumi.pinned.yaml sets eks-platform:corednsVersion: v1.12.4-eksbuild.1: update it to v1.13.1-eksbuild.1 or remove it\n",
		},
		{
			name: "target missing from the catalogue", target: "1.38", answers: answers{"aws.eks.describe-cluster": describeCluster("1.37", "ACTIVE")}.with(nodeGroupsAt("1.37")),
			want: "BLOCKER: Kubernetes 1.38 is not in catalogue/versions.json",
		},
		{
			// Issue 21: 1.37 is released, but cluster-autoscaler has no 1.37 release.
			name: "target blocked by a missing pin", target: "1.37", answers: answers{"aws.eks.describe-cluster": describeCluster("1.36", "ACTIVE")}.with(nodeGroupsAt("1.36")),
			want: "BLOCKER: Kubernetes 1.37 needs a cluster-autoscaler pin that does not exist yet: no cluster-autoscaler 1.37 release (test fixture, read 2026-12-05) (catalogue/versions.json \"blocked\")\n",
		},
		{
			name: "node group behind the control plane", answers: answers{"aws.eks.describe-nodegroup." + nodeGroupNames[1]: describeNodegroup(nodeGroupNames[1], "1.33")},
			want: "BLOCKER: node group gpu-nodes-dev-20260302101112 runs 1.33, the control plane 1.34: bring the node groups to 1.34 (scripts/stack.sh up) before the control plane moves\n",
		},
		{
			name: "more than one minor ahead", answers: answers{"aws.eks.describe-cluster": describeCluster("1.33", "ACTIVE")}.with(nodeGroupsAt("1.33")),
			want: "BLOCKER: the control plane runs 1.33: EKS upgrades one minor version at a time, so the next target is 1.34, not 1.35\n",
		},
		{
			name: "cluster busy", answers: answers{"aws.eks.describe-cluster": describeCluster("1.34", "UPDATING")},
			want: "BLOCKER: cluster eks-platform-dev is UPDATING, not ACTIVE",
		},
		{
			name: "target and every later minor out of standard support", env: map[string]string{"EKS_PLATFORM_TODAY": "2027-08-02"},
			want: "BLOCKER: Kubernetes 1.35 left standard support on 2027-03-27 and no later minor in the catalogue is in standard support",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stack, target := "dev", "1.35"
			if tc.stack != "" {
				stack = tc.stack
			}
			if tc.target != "" {
				target = tc.target
			}
			env := map[string]string{}
			for k, v := range upgradeEnv {
				env[k] = v
			}
			for k, v := range tc.env {
				env[k] = v
			}
			f := newFixture(t, fixtureOptions{})
			f.write(t, readyFor135().with(tc.answers), nil)
			r := f.run(t, env, "upgrade-check", stack, target)
			if r.code == 0 || !strings.Contains(r.stdout, tc.want) {
				t.Fatalf("exit %d; stdout lacks %q:\n%s\nstderr %q", r.code, tc.want, r.stdout, r.stderr)
			}
			if want := "NO-GO: 1 blocker(s) for upgrading stack " + stack + " to Kubernetes " + target + "\n"; !strings.HasSuffix(r.stdout, want) {
				t.Errorf("stdout does not end with %q:\n%s", want, r.stdout)
			}
		})
	}
}

func nodeGroupsAt(version string) answers {
	a := answers{}
	for _, name := range nodeGroupNames {
		a["aws.eks.describe-nodegroup."+name] = describeNodegroup(name, version)
	}
	return a
}

// EKS moves one minor at a time, so a target past standard support is still the step to take when a
// later minor in standard support follows it: a note, not a blocker.
func TestUpgradeCheckIntermediateStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, readyFor135(), nil)
	env := map[string]string{}
	for k, v := range upgradeEnv {
		env[k] = v
	}
	env["EKS_PLATFORM_TODAY"] = "2027-03-27"
	r := f.run(t, env, "upgrade-check", "dev", "1.35")
	if r.code != 0 || !strings.Contains(r.stdout, "note: Kubernetes 1.35 left standard support on 2027-03-27; it is an intermediate step: continue to 1.36 without stopping") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// Issue 14: a WARNING insight the change record acknowledges by ID no longer blocks, and says so.
func TestUpgradeCheckAcknowledgedWarning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, readyFor135().with(answers{"aws.eks.list-insights": listInsights("WARNING"), "aws.eks.describe-insight." + deprecatedInsightID: describeInsight("WARNING")}), nil)
	env := map[string]string{"EKS_PLATFORM_ACK_INSIGHTS": "other-id," + deprecatedInsightID}
	for k, v := range upgradeEnv {
		env[k] = v
	}
	r := f.run(t, env, "upgrade-check", "dev", "1.35")
	if r.code != 0 || !strings.Contains(r.stdout, "note: acknowledged (EKS_PLATFORM_ACK_INSIGHTS) insight Deprecated APIs removed in Kubernetes v1.35 ("+deprecatedInsightID+"): WARNING") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// upgrade-check needs no kubectl, and its arguments are checked before anything runs.
func TestUpgradeCheckArguments(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"upgrade-check dev":        "upgrade-check needs the target Kubernetes minor version",
		"upgrade-check dev 1.35.2": "invalid target version '1.35.2'",
		"upgrade-check dev v1.35":  "invalid target version 'v1.35'",
		"destroy dev --force":      "destroy takes only --cleanup after the stack, not '--force'",
	} {
		t.Run(args, func(t *testing.T) {
			f := newFixture(t, fixtureOptions{})
			r := f.run(t, upgradeEnv, strings.Fields(args)...)
			if r.code == 0 || !strings.Contains(r.stderr, "error: "+want) || len(r.calls) != 0 {
				t.Fatalf("exit %d, stderr %q, calls %q; want %q before any call", r.code, r.stderr, r.calls, want)
			}
		})
	}
	f := newFixture(t, fixtureOptions{withoutKubectl: true})
	f.write(t, readyFor135(), nil)
	if r := f.run(t, upgradeEnv, "upgrade-check", "dev", "1.35"); r.code != 0 {
		t.Fatalf("without kubectl: exit %d, stderr %q", r.code, r.stderr)
	}
}

// up checks first that EKS offers every add-on build of the stack's minor (the catalogue's pins
// are taken from public sources), and stops before Pulumi when one is missing.
func TestUpChecksTheAddonBuildsFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.write(t, readyFor135(), nil)
	r := f.run(t, nil, "up", "current")
	if r.code != 0 || !strings.Contains(r.stdout, "add-on builds for Kubernetes 1.35: all six offered by EKS in us-east-1") ||
		!r.called("pulumi up --stack current --non-interactive --policy-pack <pack> --refresh --yes --diff") ||
		!r.called("aws eks describe-addon-versions --addon-name kube-proxy --kubernetes-version 1.35 --region us-east-1 --output json") {
		t.Fatalf("exit %d, stdout %q, stderr %q, calls %q", r.code, r.stdout, r.stderr, r.calls)
	}

	missing := newFixture(t, fixtureOptions{})
	missing.write(t, readyFor135().with(answers{
		"aws.eks.describe-addon-versions.coredns": addonVersions("coredns", "v1.13.0-eksbuild.1", "v1.13.2-eksbuild.1"),
	}), nil)
	r = missing.run(t, nil, "up", "current")
	if r.code == 0 || !strings.Contains(r.stderr, "  - coredns v1.13.1-eksbuild.1 (catalogue/versions.json)") || r.called("pulumi up --stack current --non-interactive --policy-pack <pack> --refresh --yes --diff") {
		t.Fatalf("exit %d, stderr %q, calls %q: want a refusal naming coredns before pulumi up", r.code, r.stderr, r.calls)
	}
}
