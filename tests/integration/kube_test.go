package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestEKSToken: the token is what `aws eks get-token` prints: a presigned, 60-second
// sts:GetCallerIdentity URL whose signature covers the cluster name header.
func TestEKSToken(t *testing.T) {
	client := sts.NewFromConfig(aws.Config{
		Region:      "eu-west-3",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	token, err := EKSToken(t.Context(), client, "eks-platform-dev")
	if err != nil {
		t.Fatal(err)
	}
	encoded, ok := strings.CutPrefix(token, "k8s-aws-v1.")
	if !ok {
		t.Fatalf("token %q lacks the k8s-aws-v1. prefix", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatalf("token payload is not unpadded base64url: %v", err)
	}
	presigned, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	query := presigned.Query()
	checks := map[string]bool{
		"regional STS host":         presigned.Host == "sts.eu-west-3.amazonaws.com",
		"GetCallerIdentity action":  query.Get("Action") == "GetCallerIdentity",
		"60-second lifetime":        query.Get("X-Amz-Expires") == "60",
		"cluster header signed":     strings.Contains(query.Get("X-Amz-SignedHeaders"), "x-k8s-aws-id"),
		"signed by the credentials": strings.HasPrefix(query.Get("X-Amz-Credential"), "AKIDEXAMPLE/"),
		"has a signature":           query.Get("X-Amz-Signature") != "",
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s: presigned URL %s", name, presigned)
		}
	}
}

func TestEKSTokenWithoutCredentials(t *testing.T) {
	client := sts.NewFromConfig(aws.Config{
		Region: "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no credentials")
		}),
	})
	if _, err := EKSToken(t.Context(), client, "eks-platform-dev"); err == nil || !strings.Contains(err.Error(), "presigning sts:GetCallerIdentity for cluster eks-platform-dev") {
		t.Fatalf("error %v", err)
	}
}

func caData(server *httptest.Server) string {
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	return base64.StdEncoding.EncodeToString(block)
}

// otherCA is a self-signed CA that signed nothing the test servers present (all httptest TLS
// servers share one certificate, so a second server is no impostor).
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "other cluster CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// fakeAPIServer answers GET /api/v1/namespaces/apps for the bearer token "token" only.
func fakeAPIServer(t *testing.T) *httptest.Server {
	t.Helper()
	server := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Authorization") != "Bearer token":
			http.Error(w, `{"kind":"Status","reason":"Unauthorized"}`, http.StatusUnauthorized)
		case r.URL.Path == "/api/v1/namespaces/apps":
			_, _ = w.Write([]byte(`{"kind":"Namespace","metadata":{"name":"apps","labels":{"pod-security.kubernetes.io/enforce":"restricted"}}}`))
		case r.URL.Path == "/api/v1/namespaces/broken":
			_, _ = w.Write([]byte(`not json`))
		default:
			http.Error(w, `{"kind":"Status","reason":"NotFound"}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(server.Close)
	return server
}

func TestKubeClientNamespaceLabels(t *testing.T) {
	server := fakeAPIServer(t)
	client, err := NewKubeClient(server.URL+"/", caData(server), "token")
	if err != nil {
		t.Fatal(err)
	}
	labels, err := client.NamespaceLabels(t.Context(), "apps")
	if err != nil || labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Fatalf("labels %v, error %v", labels, err)
	}
	if _, err := client.NamespaceLabels(t.Context(), "missing"); err == nil || !strings.Contains(err.Error(), "HTTP 404") || errors.Is(err, ErrUnreachable) {
		t.Fatalf("missing namespace: error %v", err)
	}
	if _, err := client.NamespaceLabels(t.Context(), "broken"); err == nil || !strings.Contains(err.Error(), "is not JSON") {
		t.Fatalf("broken answer: error %v", err)
	}

	unauthorized, err := NewKubeClient(server.URL, caData(server), "other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unauthorized.NamespaceLabels(t.Context(), "apps"); err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "no EKS access entry") {
		t.Fatalf("unauthorized: error %v", err)
	}
}

// TestKubeClientTrustsOnlyTheClusterCA: a server whose certificate does not chain to the
// cluster's CA is reported as such, not mistaken for an unreachable network.
func TestKubeClientTrustsOnlyTheClusterCA(t *testing.T) {
	server := fakeAPIServer(t)
	client, err := NewKubeClient(server.URL, otherCA(t), "token")
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.NamespaceLabels(t.Context(), "apps")
	if err == nil || errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "not signed by the cluster's CA") {
		t.Fatalf("error %v, want a certificate failure", err)
	}
}

func TestKubeClientUnreachable(t *testing.T) {
	server := fakeAPIServer(t)
	ca := caData(server)
	server.Close()
	client, err := NewKubeClient(server.URL, ca, "token")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.NamespaceLabels(t.Context(), "apps"); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("error %v, want ErrUnreachable", err)
	}
}

func TestNewKubeClientRejectsBadCA(t *testing.T) {
	if _, err := NewKubeClient("https://x", "%%%", "token"); err == nil || !strings.Contains(err.Error(), "not base64") {
		t.Fatalf("error %v", err)
	}
	if _, err := NewKubeClient("https://x", base64.StdEncoding.EncodeToString([]byte("no pem")), "token"); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("error %v", err)
	}
}
