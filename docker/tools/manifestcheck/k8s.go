package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// partOfLabel marks Bookshelf's own workloads; their pods get the stricter checks below.
const partOfLabel = "app.kubernetes.io/part-of"

// newDecoder decodes JSON strictly into the API types of the groups a deployment of Bookshelf may use: a
// field the type does not have, a value of the wrong type and a kind the group does not have all fail.
func newDecoder() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme,
		networkingv1.AddToScheme, batchv1.AddToScheme, autoscalingv2.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme, json.SerializerOptions{Strict: true})
}

// renderKustomization prints the rendered objects, as `kubectl kustomize DIR` does.
func renderKustomization(dir string) bool {
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "manifestcheck: kustomize build %s: %v\n", dir, err)
		return false
	}
	out, err := resources.AsYaml()
	if err != nil {
		fmt.Fprintf(os.Stderr, "manifestcheck: %v\n", err)
		return false
	}
	_, _ = os.Stdout.Write(out)
	return true
}

func checkKustomizations(args []string) bool {
	fs := flag.NewFlagSet("k8s", flag.ExitOnError)
	shutdown := fs.Int("shutdown-seconds", 15, "the app's own longest ordered shutdown after SIGTERM")
	_ = fs.Parse(args)
	if fs.NArg() == 0 {
		usage()
	}
	decoder := newDecoder()
	ok := true
	for _, dir := range fs.Args() {
		r := &report{target: "k8s " + dir}
		n := checkKustomization(r, decoder, dir, int64(*shutdown))
		ok = r.print(fmt.Sprintf("%d objects rendered and decoded strictly", n)) && ok
	}
	return ok
}

type rendered struct {
	configMaps  map[string]bool
	secrets     map[string]bool
	workloads   []workload
	services    []*corev1.Service
	serviceAccs map[string]bool
}

type workload struct {
	kind, namespace, name string
	template              *corev1.PodTemplateSpec
}

func checkKustomization(r *report, decoder runtime.Decoder, dir string, shutdownSeconds int64) int {
	abs, err := filepath.Abs(dir)
	if err != nil {
		r.failf("%v", err)
		return 0
	}
	if _, err := os.Stat(filepath.Join(abs, "kustomization.yaml")); err != nil {
		r.failf("no kustomization.yaml: %v", err)
		return 0
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), abs)
	if err != nil {
		r.failf("kustomize build: %v", err)
		return 0
	}
	undecoded := 0
	out := rendered{configMaps: map[string]bool{}, secrets: map[string]bool{}, serviceAccs: map[string]bool{"default": true}}
	for _, res := range resources.Resources() {
		id := res.CurId().String()
		data, err := res.MarshalJSON()
		if err != nil {
			r.failf("%s: %v", id, err)
			continue
		}
		obj, _, err := decoder.Decode(data, nil, nil)
		if err != nil {
			r.failf("%s: %v", id, err)
			undecoded++
			continue
		}
		switch o := obj.(type) {
		case *corev1.ConfigMap:
			out.configMaps[o.Name] = true
		case *corev1.Secret:
			out.secrets[o.Name] = true
		case *corev1.ServiceAccount:
			out.serviceAccs[o.Name] = true
		case *corev1.Service:
			out.services = append(out.services, o)
		case *appsv1.Deployment:
			out.workloads = append(out.workloads, workload{"Deployment", o.Namespace, o.Name, &o.Spec.Template})
			checkSelector(r, "Deployment "+o.Name, o.Spec.Selector.MatchLabels, o.Spec.Template.Labels)
		case *appsv1.StatefulSet:
			out.workloads = append(out.workloads, workload{"StatefulSet", o.Namespace, o.Name, &o.Spec.Template})
			checkSelector(r, "StatefulSet "+o.Name, o.Spec.Selector.MatchLabels, o.Spec.Template.Labels)
		}
	}
	for _, w := range out.workloads {
		checkPods(r, &out, w, shutdownSeconds)
	}
	// A Service's pods may be in an object that did not decode: its checks would only repeat that failure.
	if undecoded == 0 {
		for _, s := range out.services {
			checkService(r, &out, s)
		}
	}
	return resources.Size()
}

func checkSelector(r *report, what string, selector, labels map[string]string) {
	if len(selector) == 0 {
		r.failf("%s: spec.selector.matchLabels is empty", what)
	}
	for k, v := range selector {
		if labels[k] != v {
			r.failf("%s: the pod template has no label %s=%s that spec.selector asks for", what, k, v)
		}
	}
}

// checkPods: references resolve in the render; Bookshelf's own pods also probe /ready and /health, wait in
// preStop, leave the ordered shutdown time to finish, declare resources and run non-root on a read-only root.
func checkPods(r *report, out *rendered, w workload, shutdownSeconds int64) {
	what := w.kind + " " + w.name
	spec := &w.template.Spec
	if sa := spec.ServiceAccountName; sa != "" && !out.serviceAccs[sa] {
		r.failf("%s: service account %q is not in the render", what, sa)
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil && !optional(v.ConfigMap.Optional) && !out.configMaps[v.ConfigMap.Name] {
			r.failf("%s: volume %s: ConfigMap %q is not in the render", what, v.Name, v.ConfigMap.Name)
		}
		if v.Secret != nil && !optional(v.Secret.Optional) && !out.secrets[v.Secret.SecretName] {
			r.failf("%s: volume %s: Secret %q is not in the render", what, v.Name, v.Secret.SecretName)
		}
	}
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
	}
	ours := w.template.Labels[partOfLabel] == "bookshelf"
	all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for i, c := range all {
		isInit := i < len(spec.InitContainers)
		cw := fmt.Sprintf("%s container %s", what, c.Name)
		if c.Image == "" {
			r.failf("%s: no image", cw)
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				r.failf("%s: mounts volume %q that the pod does not declare", cw, m.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.ConfigMapRef != nil && !optional(e.ConfigMapRef.Optional) && !out.configMaps[e.ConfigMapRef.Name] {
				r.failf("%s: envFrom ConfigMap %q is not in the render", cw, e.ConfigMapRef.Name)
			}
			if e.SecretRef != nil && !optional(e.SecretRef.Optional) && !out.secrets[e.SecretRef.Name] {
				r.failf("%s: envFrom Secret %q is not in the render", cw, e.SecretRef.Name)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil && !optional(ref.Optional) && !out.configMaps[ref.Name] {
				r.failf("%s: env %s: ConfigMap %q is not in the render", cw, e.Name, ref.Name)
			}
			if ref := e.ValueFrom.SecretKeyRef; ref != nil && !optional(ref.Optional) && !out.secrets[ref.Name] {
				r.failf("%s: env %s: Secret %q is not in the render", cw, e.Name, ref.Name)
			}
		}
		for _, p := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe, c.StartupProbe} {
			if p != nil && p.HTTPGet != nil && !hasPort(c, p.HTTPGet.Port) {
				r.failf("%s: a probe uses port %s that the container does not declare", cw, p.HTTPGet.Port.String())
			}
		}
		if ours && !isInit {
			checkOurContainer(r, cw, spec, c, shutdownSeconds)
		}
	}
}

func checkOurContainer(r *report, cw string, spec *corev1.PodSpec, c corev1.Container, shutdownSeconds int64) {
	if !httpProbe(c.ReadinessProbe, "/ready") {
		r.failf("%s: readinessProbe must be an HTTP GET of /ready", cw)
	}
	if !httpProbe(c.LivenessProbe, "/health") {
		r.failf("%s: livenessProbe must be an HTTP GET of /health", cw)
	}
	wait := int64(-1)
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		switch ps := c.Lifecycle.PreStop; {
		case ps.Sleep != nil:
			wait = ps.Sleep.Seconds
		case ps.Exec != nil && len(ps.Exec.Command) == 2 && ps.Exec.Command[0] == "sleep":
			_, _ = fmt.Sscan(ps.Exec.Command[1], &wait)
		}
	}
	if wait < 1 {
		r.failf("%s: lifecycle.preStop must sleep a few seconds (sleep action or exec [sleep, N]), so endpoints and Consul drop the pod before SIGTERM", cw)
	}
	grace := int64(30)
	if spec.TerminationGracePeriodSeconds != nil {
		grace = *spec.TerminationGracePeriodSeconds
	}
	if wait >= 0 && grace <= wait+shutdownSeconds {
		r.failf("%s: terminationGracePeriodSeconds %d must be above preStop %ds + the app's shutdown %ds", cw, grace, wait, shutdownSeconds)
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := c.Resources.Requests[res]; !ok {
			r.failf("%s: resources.requests.%s is not set", cw, res)
		}
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		r.failf("%s: resources.limits.memory is not set", cw)
	}
	sc, psc := c.SecurityContext, spec.SecurityContext
	nonRoot := sc != nil && sc.RunAsNonRoot != nil && *sc.RunAsNonRoot ||
		(sc == nil || sc.RunAsNonRoot == nil) && psc != nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot
	if !nonRoot {
		r.failf("%s: runAsNonRoot must be true (container or pod securityContext)", cw)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		r.failf("%s: securityContext.readOnlyRootFilesystem must be true", cw)
	}
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		r.failf("%s: securityContext.allowPrivilegeEscalation must be false", cw)
	}
}

func checkService(r *report, out *rendered, s *corev1.Service) {
	what := "Service " + s.Name
	if len(s.Spec.Selector) == 0 {
		return // endpoints managed elsewhere
	}
	var matched []workload
	for _, w := range out.workloads {
		if w.namespace == s.Namespace && selects(s.Spec.Selector, w.template.Labels) {
			matched = append(matched, w)
		}
	}
	if len(matched) == 0 {
		keys := make([]string, 0, len(s.Spec.Selector))
		for k, v := range s.Spec.Selector {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		r.failf("%s: its selector %v selects no pod template in the render", what, keys)
		return
	}
	for _, p := range s.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		for _, w := range matched {
			found := false
			for _, c := range w.template.Spec.Containers {
				found = found || hasPort(c, target)
			}
			if !found {
				r.failf("%s: port %s targets %s, which %s %s does not declare", what, p.Name, target.String(), w.kind, w.name)
			}
		}
	}
}

func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// hasPort: a named port must be declared; a number is accepted when declared (or when no port is declared).
func hasPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if port.Type == intstr.String && p.Name == port.StrVal || port.Type == intstr.Int && p.ContainerPort == port.IntVal {
			return true
		}
	}
	return port.Type == intstr.Int && len(c.Ports) == 0
}

func httpProbe(p *corev1.Probe, path string) bool {
	return p != nil && p.HTTPGet != nil && p.HTTPGet.Path == path
}

func optional(b *bool) bool { return b != nil && *b }
