// pod-security-checker evaluates Kubernetes workloads against the Pod Security
// Standards with k8s.io/pod-security-admission's own policy evaluator (the code the
// API server's PodSecurity admission runs), at one policy version. It is the
// reference the policy pack's PSS rules are checked against (see
// test/unit/policy/pss-differential.test.ts). Built by scripts/pod-security-checker.sh.
//
// Input (stdin or the file named by the one argument): a JSON array of objects of the
// kinds PodSecurity admission reads pod specs from (Pod, PodTemplate,
// ReplicationController, ReplicaSet, Deployment, DaemonSet, StatefulSet, Job,
// CronJob). Unknown, duplicate or wrongly-cased fields are an error, so a typo in
// the generated cases cannot pass silently.
//
// Output (stdout): a JSON array, one entry per input object, in order:
//
//	{"kind": "Deployment", "name": "web",
//	 "baseline":   {"allowed": false, "failed": ["privileged"]},
//	 "restricted": {"allowed": false, "failed": ["privileged", "runAsNonRoot"]}}
//
// "allowed" is the evaluator's verdict for the whole profile; "failed" names the
// checks (the library's check ids) that refused the pod. The tool exits 2 when the
// two disagree, which would mean it misreads the library.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	sigsjson "sigs.k8s.io/json"
)

type profileVerdict struct {
	Allowed bool     `json:"allowed"`
	Failed  []string `json:"failed"`
}

type verdict struct {
	Kind       string         `json:"kind"`
	Name       string         `json:"name"`
	Baseline   profileVerdict `json:"baseline"`
	Restricted profileVerdict `json:"restricted"`
}

type typeMeta struct {
	Kind string `json:"kind"`
}

// decodeStrict decodes one object into out the way the API server does (field names
// case-sensitive), refusing unknown and duplicate fields.
func decodeStrict(raw json.RawMessage, out any) error {
	strict, err := sigsjson.UnmarshalStrict(raw, out, sigsjson.DisallowUnknownFields, sigsjson.DisallowDuplicateFields)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		return errors.Join(strict...)
	}
	return nil
}

// podOf returns the pod metadata and spec of a workload object, read from the same
// place PodSecurity admission reads them (the pod template for controllers).
func podOf(raw json.RawMessage) (string, string, *metav1.ObjectMeta, *corev1.PodSpec, error) {
	var tm typeMeta
	if err := json.Unmarshal(raw, &tm); err != nil {
		return "", "", nil, nil, err
	}
	var (
		name string
		meta *metav1.ObjectMeta
		spec *corev1.PodSpec
	)
	fromTemplate := func(t *corev1.PodTemplateSpec) {
		if t != nil {
			meta, spec = &t.ObjectMeta, &t.Spec
		}
	}
	var err error
	switch tm.Kind {
	case "Pod":
		var o corev1.Pod
		if err = decodeStrict(raw, &o); err == nil {
			name, meta, spec = o.Name, &o.ObjectMeta, &o.Spec
		}
	case "PodTemplate":
		var o corev1.PodTemplate
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(&o.Template)
		}
	case "ReplicationController":
		var o corev1.ReplicationController
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(o.Spec.Template)
		}
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(&o.Spec.Template)
		}
	case "Deployment":
		var o appsv1.Deployment
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(&o.Spec.Template)
		}
	case "DaemonSet":
		var o appsv1.DaemonSet
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(&o.Spec.Template)
		}
	case "StatefulSet":
		var o appsv1.StatefulSet
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(&o.Spec.Template)
		}
	case "Job":
		var o batchv1.Job
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(&o.Spec.Template)
		}
	case "CronJob":
		var o batchv1.CronJob
		if err = decodeStrict(raw, &o); err == nil {
			name = o.Name
			fromTemplate(&o.Spec.JobTemplate.Spec.Template)
		}
	default:
		return tm.Kind, "", nil, nil, fmt.Errorf("kind %q has no pod spec PodSecurity reads "+
			"(accepted: Pod, PodTemplate, ReplicationController, ReplicaSet, Deployment, DaemonSet, StatefulSet, Job, CronJob)", tm.Kind)
	}
	if err != nil {
		return tm.Kind, name, nil, nil, fmt.Errorf("%s %q: %w", tm.Kind, name, err)
	}
	if spec == nil {
		meta, spec = &metav1.ObjectMeta{}, &corev1.PodSpec{}
	}
	return tm.Kind, name, meta, spec, nil
}

// checker evaluates pods with the library's evaluator and, for the failing check ids,
// one single-check evaluator per check (the evaluator's results carry no ids).
type checker struct {
	version api.Version
	all     policy.Evaluator
	checks  []policy.Check
	single  map[policy.CheckID]policy.Evaluator
	// Baseline checks that a restricted check replaces at this version.
	overridden map[policy.CheckID]bool
}

func newChecker(version api.Version) (*checker, error) {
	checks := policy.DefaultChecks()
	all, err := policy.NewEvaluator(checks)
	if err != nil {
		return nil, err
	}
	c := &checker{version: version, all: all, checks: checks,
		single: map[policy.CheckID]policy.Evaluator{}, overridden: map[policy.CheckID]bool{}}
	for _, ch := range checks {
		e, err := policy.NewEvaluator([]policy.Check{ch})
		if err != nil {
			return nil, err
		}
		c.single[ch.ID] = e
		if ch.Level != api.LevelRestricted {
			continue
		}
		// The versioned check in force: the newest whose minimum version is not after ours.
		var inForce *policy.VersionedCheck
		for i := range ch.Versions {
			if !version.Older(ch.Versions[i].MinimumVersion) {
				inForce = &ch.Versions[i]
			}
		}
		if inForce != nil {
			for _, id := range inForce.OverrideCheckIDs {
				c.overridden[id] = true
			}
		}
	}
	return c, nil
}

func (c *checker) inForce(ch policy.Check) bool {
	for _, v := range ch.Versions {
		if !c.version.Older(v.MinimumVersion) {
			return true
		}
	}
	return false
}

func (c *checker) evaluate(level api.Level, meta *metav1.ObjectMeta, spec *corev1.PodSpec) (profileVerdict, error) {
	lv := api.LevelVersion{Level: level, Version: c.version}
	agg := policy.AggregateCheckResults(c.all.EvaluatePod(lv, meta, spec))
	failed := []string{}
	for _, ch := range c.checks {
		if !c.inForce(ch) {
			continue
		}
		if ch.Level == api.LevelRestricted && level == api.LevelBaseline {
			continue
		}
		if ch.Level == api.LevelBaseline && level == api.LevelRestricted && c.overridden[ch.ID] {
			continue
		}
		one := policy.AggregateCheckResults(c.single[ch.ID].EvaluatePod(
			api.LevelVersion{Level: ch.Level, Version: c.version}, meta, spec))
		if !one.Allowed {
			failed = append(failed, string(ch.ID))
		}
	}
	sort.Strings(failed)
	if agg.Allowed != (len(failed) == 0) {
		return profileVerdict{}, fmt.Errorf("%s: evaluator says allowed=%v but the single checks failed %v",
			level, agg.Allowed, failed)
	}
	return profileVerdict{Allowed: agg.Allowed, Failed: failed}, nil
}

func main() {
	versionFlag := flag.String("version", "v1.34", "Pod Security Standards version (vMAJOR.MINOR)")
	flag.Parse()
	version, err := api.ParseVersion(*versionFlag)
	if err != nil || version.Latest() {
		fmt.Fprintf(os.Stderr, "pod-security-checker: -version %q: want vMAJOR.MINOR, e.g. v1.34\n", *versionFlag)
		os.Exit(1)
	}
	var in io.Reader = os.Stdin
	if flag.NArg() == 1 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fmt.Fprintf(os.Stderr, "pod-security-checker: %v\n", err)
			os.Exit(1)
		}
		defer f.Close()
		in = f
	} else if flag.NArg() > 1 {
		fmt.Fprintln(os.Stderr, "usage: pod-security-checker [-version v1.34] [objects.json]")
		os.Exit(1)
	}
	var objects []json.RawMessage
	if err := json.NewDecoder(in).Decode(&objects); err != nil {
		fmt.Fprintf(os.Stderr, "pod-security-checker: input is not a JSON array of objects: %v\n", err)
		os.Exit(1)
	}
	c, err := newChecker(version)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pod-security-checker: %v\n", err)
		os.Exit(2)
	}
	out := make([]verdict, 0, len(objects))
	for i, raw := range objects {
		kind, name, meta, spec, err := podOf(raw)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pod-security-checker: object #%d: %v\n", i, err)
			os.Exit(1)
		}
		v := verdict{Kind: kind, Name: name}
		if v.Baseline, err = c.evaluate(api.LevelBaseline, meta, spec); err == nil {
			v.Restricted, err = c.evaluate(api.LevelRestricted, meta, spec)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "pod-security-checker: object #%d: %v\n", i, err)
			os.Exit(2)
		}
		out = append(out, v)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "pod-security-checker: %v\n", err)
		os.Exit(1)
	}
}
