// Package eksprovider starts the real pulumi-eks component provider, the JavaScript one that the
// npm package @pulumi/eks ships in cmd/provider (as the released pulumi-resource-eks does), under
// the machine's Node.js, with no network.
//
// pulumi-eks reaches the network in two places, both over HTTPS and both through the proxy named
// by HTTPS_PROXY when that is set (its createHttpAgent): it reads the TLS certificate chain of
// https://oidc.eks.<region>.amazonaws.com for the OIDC provider's thumbprint, on preview as well
// as up, and on up it polls <endpoint>/healthz of a cluster with a public endpoint until it
// answers. The launcher serves both from loopback: a CONNECT proxy that sends every
// *.amazonaws.com connection to a local TLS server, whose certificates chain to a root CA that
// Node.js is told to trust (NODE_EXTRA_CA_CERTS). pulumi-eks itself runs unchanged.
package eksprovider

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

// DirEnv names the directory holding the pinned npm install (package.json, package-lock.json,
// node_modules) of @pulumi/eks; scripts/engine.sh sets it.
const DirEnv = "EKS_PLATFORM_EKS_PROVIDER_DIR"

// Run starts the loopback servers, runs the provider with args (the engine's address) and
// returns its exit code. The provider prints its port on stdout, which stays the engine's.
func Run(args []string, stderr io.Writer) int {
	if err := run(args, stderr); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintf(stderr, "pulumi-resource-eks (engine-check launcher): %v\n", err)
		return 1
	}
	return 0
}

func run(args []string, stderr io.Writer) error {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		return fmt.Errorf("%s is not set: it must name the directory of the pinned @pulumi/eks install (tests/engine/eks-provider)", DirEnv)
	}
	entry := filepath.Join(dir, "node_modules", "@pulumi", "eks", "cmd", "provider", "index.js")
	if _, err := os.Stat(entry); err != nil {
		return fmt.Errorf("pulumi-eks provider entry point missing (run npm ci in %s): %w", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("node not found on PATH: pulumi-eks' provider is JavaScript: %w", err)
	}

	certs, err := newChain()
	if err != nil {
		return fmt.Errorf("loopback certificates: %w", err)
	}
	caFile, err := os.CreateTemp("", "eks-platform-engine-ca-*.pem")
	if err != nil {
		return err
	}
	defer os.Remove(caFile.Name())
	if _, err := caFile.Write(certs.rootPEM()); err != nil {
		return err
	}
	if err := caFile.Close(); err != nil {
		return err
	}

	tlsListener, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return certs.leaf(hello.ServerName)
		},
	})
	if err != nil {
		return err
	}
	defer tlsListener.Close()
	// Every path answers 200: /healthz of the API server and the issuer URL alike.
	// Both servers end when their listener closes, as the launcher exits.
	go func() {
		_ = http.Serve(tlsListener, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "ok")
		}))
	}()

	proxyListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer proxyListener.Close()
	go func() { _ = http.Serve(proxyListener, &connectProxy{target: tlsListener.Addr().String(), log: stderr}) }()

	cmd := exec.Command(node, append([]string{entry}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, stderr
	cmd.Env = append(os.Environ(),
		"HTTPS_PROXY=http://"+proxyListener.Addr().String(),
		"NODE_EXTRA_CA_CERTS="+caFile.Name(),
	)
	if err := cmd.Start(); err != nil {
		return err
	}
	// The engine stops plugins with a signal; pass it on so node exits and the files go.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	return cmd.Wait()
}

// connectProxy tunnels CONNECT requests for *.amazonaws.com:443 to the loopback TLS server and
// loopback targets to themselves (a client that sends everything through the proxy); it refuses
// everything else, loudly, so nothing leaves the machine.
type connectProxy struct {
	target string
	log    io.Writer
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil {
		http.Error(w, "only CONNECT host:port", http.StatusMethodNotAllowed)
		return
	}
	target := ""
	switch {
	case strings.HasSuffix(host, ".amazonaws.com") && port == "443":
		target = p.target
	case host == "127.0.0.1" || host == "localhost":
		target = r.Host
	default:
		fmt.Fprintf(p.log, "engine-check proxy: REFUSED CONNECT %s (only *.amazonaws.com:443 is served, from loopback)\n", r.Host)
		http.Error(w, "engine-check: no network", http.StatusForbidden)
		return
	}
	upstream, err := net.Dial("tcp", target)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		upstream.Close()
		http.Error(w, "cannot tunnel", http.StatusInternalServerError)
		return
	}
	client, buffered, err := hijacker.Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	_, _ = io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() {
		// The reader holds anything the client sent after the CONNECT line, then the connection.
		_, _ = io.Copy(upstream, buffered.Reader)
		upstream.Close()
	}()
	_, _ = io.Copy(client, upstream)
	client.Close()
}
