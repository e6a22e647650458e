package config

import (
	"fmt"
	"strings"

	"github.com/acme/eks-platform/catalogue"
)

// upgradeNoticeDays is how long before the end of standard support a stack is told to move on
// (STACK_SPEC L2).
const upgradeNoticeDays = 60

// addonPins ties each add-on version key to its EKS add-on and its field in the Config.
var addonPins = []struct {
	key, addon string
	field      func(*AddonVersions) *string
}{
	{"vpcCniVersion", catalogue.AddonVpcCni, func(a *AddonVersions) *string { return &a.VpcCni }},
	{"kubeProxyVersion", catalogue.AddonKubeProxy, func(a *AddonVersions) *string { return &a.KubeProxy }},
	{"corednsVersion", catalogue.AddonCoreDNS, func(a *AddonVersions) *string { return &a.CoreDNS }},
	{"ebsCsiDriverVersion", catalogue.AddonEbsCsiDriver, func(a *AddonVersions) *string { return &a.EbsCsiDriver }},
	{"snapshotControllerVersion", catalogue.AddonSnapshotController, func(a *AddonVersions) *string { return &a.SnapshotController }},
	{"cloudwatchObservabilityVersion", catalogue.AddonCloudWatchObservability, func(a *AddonVersions) *string { return &a.CloudWatchObservability }},
}

// CatalogueChartNames maps a chart key to the chart's name in the catalogue. The
// cluster-autoscaler chart is not here: its release follows the Kubernetes minor.
var CatalogueChartNames = map[string]string{
	ChartAwsLoadBalancerController: "aws-load-balancer-controller",
	ChartExternalSecrets:           "external-secrets",
	ChartMetricsServer:             "metrics-server",
	ChartVelero:                    "velero",
}

// fillPinsFromCatalogue gives every pin the stack leaves empty the catalogue's value for the
// stack's Kubernetes minor (L1). An unknown minor fills nothing; validation reports the minor.
func fillPinsFromCatalogue(c *Config) {
	cat := catalogue.Default()
	minor, ok := cat.Kubernetes[c.Cluster.KubernetesVersion]
	if !ok {
		return
	}
	for _, p := range addonPins {
		if field := p.field(&c.Cluster.AddonVersions); *field == "" {
			*field = minor.Addons[p.addon].Value
		}
	}
	for key, chart := range c.Platform.Charts {
		if chart.Version != "" {
			continue
		}
		if key == ChartClusterAutoscaler {
			chart.Version = minor.ClusterAutoscaler.Chart.Value
		} else {
			chart.Version = cat.Charts[CatalogueChartNames[key]].Value
		}
		c.Platform.Charts[key] = chart
	}
	if c.Platform.VeleroAwsPluginImage == "" {
		c.Platform.VeleroAwsPluginImage = cat.Images[catalogue.ImageVeleroAwsPlugin].Value
	}
	if c.Observability.FluentBitImage == "" {
		c.Observability.FluentBitImage = cat.Images[catalogue.ImageFluentBit].Value
	}
	if c.Platform.ClusterAutoscalerImageTag == "" {
		c.Platform.ClusterAutoscalerImageTag = minor.ClusterAutoscaler.ImageTag.Value
	}
}

// validateKubernetesVersion is the lifecycle guard (C3, L2): the minor must be in the catalogue,
// released and not past the end of extended support on today. It returns the minor's facts when
// the version may be used.
func validateKubernetesVersion(v *validator, version string, today catalogue.Date) (catalogue.Minor, bool) {
	cat := catalogue.Default()
	allowed := fmt.Sprintf("must be one of the Kubernetes minors EKS supports on %s: %s (catalogue/versions.json)",
		today, strings.Join(cat.Available(today), ", "))
	minor, ok := cat.Kubernetes[version]
	if !ok {
		v.fail("kubernetesVersion", version, allowed)
		return minor, false
	}
	switch minor.SupportOn(today) {
	case catalogue.Ended:
		v.fail("kubernetesVersion", version, fmt.Sprintf(
			"EKS extended support for %s ended on %s; EKS creates no new %s cluster and upgrades old ones itself. It %s",
			version, minor.EndOfExtendedSupport.Value, version, allowed))
		return minor, false
	case catalogue.Unreleased:
		v.fail("kubernetesVersion", version, fmt.Sprintf("EKS releases %s on %s. It %s",
			version, minor.Released.Value, allowed))
		return minor, false
	}
	if minor.IsBlocked() {
		missing := make([]string, len(minor.Blocked))
		for i, b := range minor.Blocked {
			missing[i] = fmt.Sprintf("%s (%s, read %s)", b.Pin, b.Missing, b.ReadOn)
		}
		v.fail("kubernetesVersion", version, fmt.Sprintf(
			"Kubernetes %s is on EKS, but a pin it needs does not exist yet: %s; the catalogue lists it as blocked (catalogue/versions.json). It %s",
			version, strings.Join(missing, "; "), allowed))
		return minor, false
	}
	if len(minor.Addons) == 0 {
		v.fail("kubernetesVersion", version, "the catalogue keeps only the dates of "+version+", no version pins. It "+allowed)
		return minor, false
	}
	return minor, true
}

// validatePins checks every version pin of the stack's minor, whether the catalogue gave it or the
// stack overrode it: an override must have the right shape and stay on the release line the
// catalogue pins for that minor (L1).
func validatePins(v *validator, c *Config, minor catalogue.Minor) {
	version := c.Cluster.KubernetesVersion
	for _, p := range addonPins {
		value := *p.field(&c.Cluster.AddonVersions)
		pinned := minor.Addons[p.addon].Value
		switch {
		case !catalogue.AddonVersionPattern.MatchString(value):
			v.fail(p.key, value, fmt.Sprintf("must be an EKS add-on build vX.Y.Z-eksbuild.N such as %s (empty: the catalogue's build for Kubernetes %s)", pinned, version))
		case !strings.HasPrefix(value, catalogue.AddonLine(pinned)):
			v.fail(p.key, value, fmt.Sprintf("must be a %s* build, the line the catalogue pins for Kubernetes %s (%s); another line needs a catalogue entry (catalogue/versions.json)",
				catalogue.AddonLine(pinned), version, pinned))
		}
	}
	if tag, line := c.Platform.ClusterAutoscalerImageTag, catalogue.ImageTagLine(version); !strings.HasPrefix(tag, line) ||
		!releaseTagPattern.MatchString(tag) {
		v.fail("clusterAutoscalerImageTag", tag, fmt.Sprintf("must be a %s* release such as %s: the autoscaler's minor must match the cluster's (empty: the catalogue's)",
			line, minor.ClusterAutoscaler.ImageTag.Value))
	}
}

// lifecycleWarnings are the notices for a minor that may be used but should not stay (L2): in
// extended support, or within upgradeNoticeDays of leaving standard support.
func lifecycleWarnings(k Cluster, today catalogue.Date) []string {
	cat := catalogue.Default()
	minor, ok := cat.Kubernetes[k.KubernetesVersion]
	if !ok {
		return nil
	}
	next, hasNext := cat.Next(k.KubernetesVersion)
	moveTo := "the next minor (add it to catalogue/versions.json)"
	if hasNext {
		moveTo = next
	} else if blocked, blockers, ok := cat.BlockedNext(k.KubernetesVersion); ok {
		pins := make([]string, len(blockers))
		for i, b := range blockers {
			pins[i] = b.Pin
		}
		moveTo = fmt.Sprintf("%s once the pins it lacks exist (%s: blocked in catalogue/versions.json)", blocked, strings.Join(pins, ", "))
	}
	surcharge := fmt.Sprintf("$%.0f a month more per cluster ($%.2f instead of $%.2f an hour)",
		cat.ExtendedSurchargeMonthlyUsd(), cat.ControlPlaneUsdPerHour.Extended.Value, cat.ControlPlaneUsdPerHour.Standard.Value)
	key := Key("kubernetesVersion")
	endStandard := minor.EndOfStandardSupport.Value
	switch minor.SupportOn(today) {
	case catalogue.Extended:
		policy := "with upgradeSupportType STANDARD, EKS upgrades the control plane to " + moveTo + " itself"
		if k.UpgradeSupportType == "EXTENDED" {
			policy = "upgradeSupportType EXTENDED keeps it there until " + minor.EndOfExtendedSupport.Value.String()
		}
		return []string{fmt.Sprintf("%s = %q: in EKS extended support since %s: the control plane costs %s; %s. Upgrade to %s (README \"Upgrade runbook\").",
			key, k.KubernetesVersion, endStandard, surcharge, policy, moveTo)}
	case catalogue.Standard:
		if days := today.DaysUntil(endStandard); days <= upgradeNoticeDays {
			return []string{fmt.Sprintf("%s = %q: EKS standard support ends on %s, in %s; upgrade to %s before then. After it, upgradeSupportType STANDARD lets EKS upgrade the control plane itself, EXTENDED costs %s.",
				key, k.KubernetesVersion, endStandard, countDays(days), moveTo, surcharge)}
		}
	}
	return nil
}

func countDays(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
