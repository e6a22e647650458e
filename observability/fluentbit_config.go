package observability

import (
	"fmt"
	"strings"
)

// Paths inside the Fluent Bit pod. The log sources are mounted read-only from the node; only the
// state directory is writable.
const (
	fluentBitConfigDir  = "/fluent-bit/etc/" // where the aws-for-fluent-bit image reads fluent-bit.conf
	fluentBitConfigFile = "fluent-bit.conf"
	fluentBitStateDir   = "/var/fluent-bit/state"
	nodeLogDir          = "/var/log"
	fluentBitHTTPPort   = 2020
)

type configEntry struct{ key, value string }

type configSection struct {
	name    string
	entries []configEntry
}

// fluentBitConfig returns the complete fluent-bit.conf. It is the text stored in SSM and, through
// the ConfigMap derived from the parameter, the file the pods read (O2).
//
// Sources fit Bottlerocket nodes (G2): they have no /var/log/messages, /var/log/secure or
// /var/log/dmesg, and everything but container logs goes to the journal in /var/log/journal.
// So container logs are tailed with the built-in CRI multiline parser (containerd writes CRI
// format), and kubelet, containerd and kernel messages come from the journal. Built-in parsers
// only: no parsers file is needed, so the stored text is exactly the one file Fluent Bit loads.
func fluentBitConfig(cluster, region string) string {
	sections := []configSection{
		{"SERVICE", []configEntry{
			{"Flush", "5"},
			{"Grace", "10"},
			{"Log_Level", "warn"},
			{"Daemon", "off"},
			{"HTTP_Server", "On"},
			{"HTTP_Listen", "0.0.0.0"},
			{"HTTP_Port", fmt.Sprint(fluentBitHTTPPort)},
			{"Health_Check", "On"},
			// Chunks are buffered on the node so a restart or a CloudWatch outage loses nothing.
			{"storage.path", fluentBitStateDir + "/flb-storage/"},
		}},
		tailInput("application.*", "/var/log/containers/*.log", "flb_container.db",
			configEntry{"Exclude_Path", dataplaneContainerLogs}),
		tailInput("dataplane.tail.*", dataplaneContainerLogs, "flb_dataplane_tail.db"),
		journalInput("dataplane.systemd.*", "flb_dataplane_systemd.db",
			"_SYSTEMD_UNIT=kubelet.service", "_SYSTEMD_UNIT=containerd.service"),
		journalInput("host.kernel", "flb_host_kernel.db", "_TRANSPORT=kernel"),
		{"FILTER", []configEntry{
			{"Name", "kubernetes"},
			{"Match", "application.*"},
			{"Kube_Tag_Prefix", "application.var.log.containers."},
			{"Merge_Log", "On"},
			{"Merge_Log_Key", "log_processed"},
			{"Keep_Log", "Off"},
			{"K8S-Logging.Parser", "Off"},
			{"K8S-Logging.Exclude", "On"},
			{"Labels", "On"},
			{"Annotations", "Off"},
			{"Buffer_Size", "0"},
		}},
		cloudWatchOutput("application.*", logGroupName(cluster, logApplication), region),
		cloudWatchOutput("dataplane.*", logGroupName(cluster, logDataplane), region),
		cloudWatchOutput("host.*", logGroupName(cluster, logHost), region),
	}
	return renderConfig(sections)
}

// renderConfig writes sections in Fluent Bit's classic format, values aligned in one column.
func renderConfig(sections []configSection) string {
	width := 0
	for _, s := range sections {
		for _, e := range s.entries {
			width = max(width, len(e.key))
		}
	}
	var b strings.Builder
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", s.name)
		for _, e := range s.entries {
			fmt.Fprintf(&b, "    %-*s %s\n", width, e.key, e.value)
		}
	}
	return b.String()
}

// The AWS VPC CNI and kube-proxy are part of the data plane, so their logs go there rather than to
// the application group.
const dataplaneContainerLogs = "/var/log/containers/aws-node*, /var/log/containers/kube-proxy*"

// tailInput reads container log files, buffered on disk (so Mem_Buf_Limit does not apply; the
// storage layer bounds memory). Read_from_Head On ships what a pod wrote before Fluent Bit
// started on a new node; the offset database on the node prevents re-reading after restarts.
func tailInput(tag, path, db string, extra ...configEntry) configSection {
	entries := []configEntry{
		{"Name", "tail"},
		{"Tag", tag},
		{"Path", path},
	}
	entries = append(entries, extra...)
	entries = append(entries,
		configEntry{"multiline.parser", "cri"},
		configEntry{"DB", fluentBitStateDir + "/" + db},
		configEntry{"DB.locking", "true"},
		configEntry{"Skip_Long_Lines", "On"},
		configEntry{"Refresh_Interval", "10"},
		configEntry{"Rotate_Wait", "30"},
		configEntry{"storage.type", "filesystem"},
		configEntry{"Read_from_Head", "On"},
	)
	return configSection{"INPUT", entries}
}

// journalInput reads the node's systemd journal, keeping only entries that match one of filters.
func journalInput(tag, db string, filters ...string) configSection {
	entries := []configEntry{
		{"Name", "systemd"},
		{"Tag", tag},
		{"Path", nodeLogDir + "/journal"},
	}
	for _, f := range filters {
		entries = append(entries, configEntry{"Systemd_Filter", f})
	}
	entries = append(entries,
		configEntry{"DB", fluentBitStateDir + "/" + db},
		configEntry{"Read_From_Tail", "Off"},
		configEntry{"storage.type", "filesystem"},
	)
	return configSection{"INPUT", entries}
}

// cloudWatchOutput ships matching records to a log group created by this package. Fluent Bit must
// never create a group (seed 003 #3): one it created would have no retention and no key.
func cloudWatchOutput(match, group, region string) configSection {
	return configSection{"OUTPUT", []configEntry{
		{"Name", "cloudwatch_logs"},
		{"Match", match},
		{"region", region},
		{"log_group_name", group},
		{"log_stream_prefix", "${HOST_NAME}-"},
		{"auto_create_group", "false"},
		// Keep retrying from the on-disk buffer instead of dropping logs, bounded per output.
		{"Retry_Limit", "False"},
		{"storage.total_limit_size", "500M"},
	}}
}
