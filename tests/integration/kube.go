package integration

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The EKS authentication token, as `aws eks get-token` makes it: a presigned STS
// GetCallerIdentity URL that names the cluster in a signed header, base64url-encoded behind a
// fixed prefix. The API server replays the URL to STS to learn the caller's IAM identity.
const (
	eksTokenPrefix  = "k8s-aws-v1."
	clusterIDHeader = "x-k8s-aws-id"
	// The API server rejects tokens whose presigned URL is valid for longer than this.
	tokenLifetimeSeconds = "60"
)

// EKSToken builds a bearer token for the cluster from the STS client's credentials, without
// client-go or the aws CLI.
func EKSToken(ctx context.Context, client *sts.Client, clusterName string) (string, error) {
	presigned, err := sts.NewPresignClient(client).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{},
		func(options *sts.PresignOptions) {
			options.ClientOptions = append(options.ClientOptions, func(o *sts.Options) {
				o.APIOptions = append(o.APIOptions,
					smithyhttp.SetHeaderValue(clusterIDHeader, clusterName),
					smithyhttp.SetHeaderValue("X-Amz-Expires", tokenLifetimeSeconds))
			})
		})
	if err != nil {
		return "", fmt.Errorf("presigning sts:GetCallerIdentity for cluster %s: %w", clusterName, err)
	}
	return eksTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(presigned.URL)), nil
}

// KubeClient reads objects from a Kubernetes API server over HTTPS, trusting only the cluster's
// own certificate authority.
type KubeClient struct {
	endpoint string
	token    string
	http     *http.Client
}

// ErrUnreachable wraps network failures reaching the API server (as opposed to answers from it):
// a private-only or CIDR-restricted endpoint is unreachable from outside its allowed networks.
var ErrUnreachable = errors.New("API server unreachable")

// NewKubeClient returns a client for the endpoint; caData is the base64 PEM bundle that
// DescribeCluster returns in certificateAuthority.data.
func NewKubeClient(endpoint, caData, token string) (*KubeClient, error) {
	pem, err := base64.StdEncoding.DecodeString(caData)
	if err != nil {
		return nil, fmt.Errorf("cluster certificate authority is not base64: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("cluster certificate authority holds no PEM certificate")
	}
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &KubeClient{
		endpoint: strings.TrimSuffix(endpoint, "/"),
		token:    token,
		http:     &http.Client{Transport: transport, Timeout: 20 * time.Second},
	}, nil
}

// NamespaceLabels returns the labels of a namespace.
func (k *KubeClient) NamespaceLabels(ctx context.Context, namespace string) (map[string]string, error) {
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, k.endpoint+"/api/v1/namespaces/"+url.PathEscape(namespace), nil)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Authorization", "Bearer "+k.token)
	request.Header.Set("Accept", "application/json")
	response, err := k.http.Do(request)
	if err != nil {
		// A certificate that does not chain to the cluster's CA is a finding, not a network issue.
		var certificateError *tls.CertificateVerificationError
		if errors.As(err, &certificateError) {
			return nil, fmt.Errorf("API server certificate is not signed by the cluster's CA: %w", err)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(io.LimitReader(response.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading namespace %s: %w", namespace, err)
	}
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET namespace %s: HTTP %d: %s%s", namespace, response.StatusCode,
			strings.TrimSpace(string(body)), statusHint(response.StatusCode))
	}
	var object struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(body, &object); err != nil {
		return nil, fmt.Errorf("namespace %s is not JSON: %w", namespace, err)
	}
	return object.Metadata.Labels, nil
}

func statusHint(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return " (the caller's IAM principal has no EKS access entry for this cluster)"
	case http.StatusForbidden:
		return " (the caller's access entry lacks a policy that may read namespaces)"
	}
	return ""
}
