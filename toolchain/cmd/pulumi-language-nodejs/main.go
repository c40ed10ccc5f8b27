// Command pulumi-language-nodejs is a small, self-written Node.js language host
// for the Pulumi engine.
//
// Why it exists: the upstream language host is its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) and the
// Go module proxy that this project's machines can reach does not serve any
// version of it, so it cannot be built from a `require`. Everything the
// engine needs to run our programs (and policy packs) is a thin layer over the
// github.com/pulumi/pulumi/sdk/v3 module, which is served, so we implement that
// layer here. See docs/toolchain.md for what is and is not supported.
//
// The engine starts this binary with optional logging/tracing flags and the
// engine's gRPC address as the last positional argument; we answer with the
// port of our LanguageRuntime gRPC server on stdout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/shlex"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Exit code with which @pulumi/pulumi's runner says "the user has already been
// shown an actionable error"; the engine should then just stop (bail).
const exitCodeAlreadyReported = 32

func main() {
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	tracingEndpoint := flag.String("tracing", "", "Zipkin-compatible tracing endpoint (passed on to node)")
	runtimeName := flag.String("runtime", "nodejs", "runtime to use; only `nodejs` is supported by this host")
	flag.Parse() // -v / -logtostderr are registered by the logging package.

	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	logging.InitLogging(false, 0, false)
	if *runtimeName != "nodejs" {
		cmdutil.Exit(fmt.Errorf("unsupported runtime %q: this language host only supports nodejs", *runtimeName))
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancel)
	}()

	if engineAddress != "" {
		// Exit when the engine goes away.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check: %w", err))
		}
	}

	host := newHost(engineAddress, *tracingEndpoint)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC server stopped: %w", err))
	}
}

type host struct {
	// Methods we do not implement (code generation, Pack, Link, Template, ...)
	// answer codes.Unimplemented, which the engine handles or reports.
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string

	cancelCtx context.Context
	cancelAll context.CancelFunc
}

func newHost(engineAddress, tracing string) *host {
	ctx, cancel := context.WithCancel(context.Background())
	return &host{engineAddress: engineAddress, tracing: tracing, cancelCtx: ctx, cancelAll: cancel}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake is used when the engine attaches to an already running host.
func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelAll()
	return &emptypb.Empty{}, nil
}

// --- options from Pulumi.yaml `runtime.options` ---------------------------

type options struct {
	typescript     bool
	tsconfig       string
	nodeargs       []string
	packageManager npm.PackageManagerType
}

func parseOptions(raw map[string]any) (options, error) {
	o := options{typescript: true, packageManager: npm.AutoPackageManager}
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return o, errors.New("runtime option `typescript` must be a boolean")
		}
		o.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("runtime option `tsconfig` must be a string")
		}
		o.tsconfig = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("runtime option `nodeargs` must be a string")
		}
		args, err := shlex.Split(s)
		if err != nil {
			return o, fmt.Errorf("runtime option `nodeargs`: %w", err)
		}
		o.nodeargs = args
	}
	if v, ok := raw["packagemanager"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("runtime option `packagemanager` must be a string")
		}
		switch s {
		case "auto":
			o.packageManager = npm.AutoPackageManager
		case "npm":
			o.packageManager = npm.NpmPackageManager
		case "yarn":
			o.packageManager = npm.YarnPackageManager
		case "pnpm":
			o.packageManager = npm.PnpmPackageManager
		default:
			return o, fmt.Errorf("runtime option `packagemanager` must be auto, npm, yarn or pnpm, got %q", s)
		}
	}
	return o, nil
}

func (o options) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

// --- locating node and @pulumi/pulumi --------------------------------------

func nodeBinary() (string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	return p, nil
}

// resolveModule asks node to resolve `mod` as seen from dir, so that the
// program's own copy of @pulumi/pulumi (node_modules, NODE_PATH, workspaces)
// is the one that runs it.
func resolveModule(node, dir, mod string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (e) { `+
		`if (e.code === "MODULE_NOT_FOUND") { console.error("Cannot find %s from %s: `+
		`have you run npm install (or set NODE_PATH)?"); } else { console.error(e.message); } process.exit(1); }`,
		mod, mod, dir)
	cmd := exec.Command(node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			return "", errors.New(strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// --- GetRequiredPackages -----------------------------------------------------

type packageJSON struct {
	Name    string                  `json:"name"`
	Version string                  `json:"version"`
	Pulumi  plugin.PulumiPluginJSON `json:"pulumi"`
}

// GetRequiredPackages reports every package under node_modules (searched from
// the program directory down, following symlinks once) whose package.json says
// `"pulumi": {"resource": true}`: these are the resource plugins the program
// will ask the engine for.
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	seen := map[string]bool{}
	dedup := map[string]bool{}
	var pkgs []*pulumirpc.PackageDependency
	var walk func(dir string, inNodeModules bool)
	walk = func(dir string, inNodeModules bool) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		entries, err := os.ReadDir(real)
		if err != nil {
			return
		}
		for _, e := range entries {
			p := filepath.Join(real, e.Name())
			isDir := e.IsDir()
			if e.Type()&fs.ModeSymlink != 0 {
				if fi, err := os.Stat(p); err == nil {
					isDir = fi.IsDir()
				}
			}
			switch {
			case isDir:
				if e.Name() == ".git" {
					continue
				}
				// Plugins of a nested policy pack are not the program's plugins.
				if pp, _ := workspace.DetectPolicyPackPathAt(p); pp != "" {
					continue
				}
				walk(p, inNodeModules || filepath.Base(real) == "node_modules")
			case inNodeModules && e.Name() == "package.json":
				if dep := readPluginPackage(p); dep != nil {
					key := dep.Name + "@" + dep.Version
					if !dedup[key] {
						dedup[key] = true
						pkgs = append(pkgs, dep)
					}
				}
			}
		}
	}
	walk(req.GetInfo().GetProgramDirectory(), false)
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func readPluginPackage(path string) *pulumirpc.PackageDependency {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var info packageJSON
	if json.Unmarshal(b, &info) != nil || !info.Pulumi.Resource {
		return nil
	}
	name := info.Pulumi.Name
	if name == "" {
		if !strings.HasPrefix(info.Name, "@pulumi/") {
			logging.V(3).Infof("skipping %s: third-party package without pulumi.name", path)
			return nil
		}
		name = strings.TrimPrefix(info.Name, "@pulumi/")
	}
	v := info.Pulumi.Version
	if v == "" {
		v = info.Version
	}
	if v == "" {
		return nil
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	dep := &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: v, Server: info.Pulumi.Server}
	if p := info.Pulumi.Parameterization; p != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: p.Value}
	}
	return dep
}

// --- Run -----------------------------------------------------------------------

// Run starts `node @pulumi/pulumi/cmd/run ... <entrypoint>` and waits for it.
// The node process talks to the engine's resource monitor directly.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	node, err := nodeBinary()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runPath, err = resolveModule(node, info.GetProgramDirectory(), runPath)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	flagArg := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engine())
	flagArg("organization", req.GetOrganization())
	flagArg("project", req.GetProject())
	flagArg("root-directory", info.GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	// @pulumi/pulumi reads config keys in the legacy "<ns>:config:<name>" form.
	cfg := map[string]string{}
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("bad config key %q: %v", k, err)}, nil
		}
		cfg[key.Namespace()+":config:"+key.Name()] = v
	}
	cfgJSON, _ := json.Marshal(cfg)
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, _ := json.Marshal(secretKeys)

	env := append(os.Environ(), "PULUMI_CONFIG="+string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))
	env = append(env, opts.env()...)

	cmdCtx, cmdCancel := context.WithCancel(h.cancelCtx)
	defer cmdCancel()
	stopWatch := context.AfterFunc(ctx, cmdCancel)
	defer stopWatch()

	cmd := exec.CommandContext(cmdCtx, node, args...)
	cmd.Env = env
	cmd.Stdin = nil
	// Wrap os.Stdout/os.Stderr so exec copies through a pipe: node may switch
	// the blocking mode of file descriptors it inherits directly.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	logging.V(5).Infof("running %s %s", node, strings.Join(args, " "))

	if err := cmd.Run(); err != nil {
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() == exitCodeAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ee.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// --- RunPlugin (policy packs, Node.js plugins) ---------------------------------

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	info := req.GetInfo()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return err
	}
	node, err := nodeBinary()
	if err != nil {
		return err
	}
	isPolicyPack := req.GetKind() == string(apitype.AnalyzerPlugin)
	runner := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicyPack {
		runner = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	runPath, err := resolveModule(node, info.GetProgramDirectory(), runner)
	if err != nil {
		return err
	}

	args := append([]string{runPath}, opts.nodeargs...)
	if isPolicyPack {
		// The policy-pack runner wants its own arguments first and the pack
		// directory last.
		args = append(args, req.GetArgs()...)
		args = append(args, info.GetProgramDirectory())
	} else {
		args = append(args, info.GetProgramDirectory())
		args = append(args, req.GetArgs()...)
	}
	env := append(append([]string{}, req.GetEnv()...), opts.env()...)

	// A policy pack needs the stack's configuration in its environment, which
	// the engine only sends over the analyzer protocol: sdk.PolicyProxy
	// answers that first call, then forwards everything to the real pack.
	var proxy *sdk.PolicyProxy
	if isPolicyPack {
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start policy pack proxy: %w", err)
		}
		stackCfg, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get stack configuration: %w", err)
		}
		if stackCfg != nil {
			add := func(k, v string) {
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			add("PULUMI_NODEJS_ORGANIZATION", stackCfg.GetOrganization())
			add("PULUMI_NODEJS_PROJECT", stackCfg.GetProject())
			add("PULUMI_NODEJS_STACK", stackCfg.GetStack())
			add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stackCfg.GetDryRun()))
			if c := stackCfg.GetConfig(); c != nil {
				b, err := json.Marshal(c)
				if err != nil {
					return fmt.Errorf("could not marshal stack configuration: %w", err)
				}
				add("PULUMI_CONFIG", string(b))
			}
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = req.GetPwd()
	if isPolicyPack {
		cmd.Dir = info.GetProgramDirectory()
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start node: %w", err)
	}
	if proxy != nil {
		if err := proxy.Attach(ctx, cmd); err != nil {
			return fmt.Errorf("could not attach policy pack proxy: %w", err)
		}
		return closer.Close()
	}
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("Program exited with non-zero exit code: %d", ee.ExitCode())
		}
		return err
	}
	return closer.Close()
}

// --- dependencies / about ------------------------------------------------------

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return err
	}
	dir := req.GetInfo().GetProgramDirectory()
	if root, err := npm.FindWorkspaceRoot(dir); err == nil {
		fmt.Fprintf(stdout, "Detected workspace root at %s\n", root)
		dir = root
	} else if !errors.Is(err, npm.ErrNotInWorkspace) {
		return err
	}
	fmt.Fprintln(stdout, "Installing dependencies...")
	if _, err := npm.Install(server.Context(), opts.packageManager, dir, false, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Finished installing dependencies")
	return closer.Close()
}

func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return nil, err
	}
	pm, err := npm.ResolvePackageManager(opts.packageManager, req.GetInfo().GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	list, err := pm.ListPackages(ctx, req.GetInfo().GetProgramDirectory(), req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, p := range list {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return resp, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := nodeBinary()
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "k8s-netplat/toolchain (minimal)"},
	}, nil
}
