package nodegroups

import "encoding/base64"

// bottlerocketSettings is the user data every node group's launch template carries (G2): Bottlerocket
// TOML with our settings only. For the BOTTLEROCKET_* AMI types EKS merges this with the bootstrap
// settings it injects (settings.kubernetes.api-server, cluster-certificate, cluster-name, node
// labels and taints), so those must not appear here. EKS's merge rejects quoted keys and
// mixed-type arrays, so the text keeps to bare keys and scalar values.
//
//   - The admin container (root shell on the host) stays off: operators reach nodes through the
//     control container, i.e. SSM Session Manager, which the node role's SSM policy exists for.
//   - Kernel lockdown "integrity" stops even root from modifying the running kernel.
const bottlerocketSettings = `[settings.host-containers.admin]
enabled = false

[settings.host-containers.control]
enabled = true

[settings.kernel]
lockdown = "integrity"
`

// bottlerocketUserData returns the settings base64-encoded, as a launch template's user data must be.
func bottlerocketUserData() string {
	return base64.StdEncoding.EncodeToString([]byte(bottlerocketSettings))
}
