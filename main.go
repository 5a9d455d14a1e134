// Command hoithi serves online knowledge contests for Vietnamese public
// bodies: citizens take timed rounds on their phones, answers are scored
// live over websockets into leaderboards, and everything ships in this one
// binary with an SQLite file beside it.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	"golang.org/x/term"
	"hoithi/cluster"
	"hoithi/data"
	"hoithi/handlers"
	"hoithi/mail"
	"hoithi/messages"
	"hoithi/metrics"
	"hoithi/quiz"
	"hoithi/store"
	"hoithi/store/postgres"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "hoithi:", err)
		os.Exit(1)
	}
}

const usage = `hoithi: online contests on administrative procedures performed electronically.

Usage:
  hoithi [serve]                                   serve the web app and API (the default)
  hoithi user add -email E -password P -role R [-name N]
                                                   create a staff account (admin, organizer, official)
  hoithi user disable -email E                     stop a staff account signing in; its sessions end
  hoithi user enable -email E                      let a disabled staff account sign in again
  hoithi user password -email E -password P        set an account's password; all its sessions end
  hoithi backup -o FILE                            write a consistent copy of the live database
  hoithi import -bank NAME FILE                    import questions into a bank (made if needed)
  hoithi export -round ID -format F -o FILE        write a round's winners list (xlsx, csv or json)
  hoithi purge -days N [-dry-run]                  remove personal data of contests closed over N days ago
  hoithi migrate -to postgres://…                  copy the database into an empty PostgreSQL one, and check it

Every command works on the database named by HOITHI_DB (default hoithi.db),
also while a server runs on it. Run a command with -h for its flags.
Configuration is by environment; see README.md.
`

// run is the whole program: it reads the command line and the environment
// through its arguments, so that tests run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runOn(ctx, quiz.RealClock{}, args, getenv, stdout, stderr)
}

// runOn is run on the given clock, which the server reads the time from
// and waits on for deadlines: tests give it a quiz.FakeClock.
func runOn(ctx context.Context, clock quiz.Clock, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	cfg.clock = clock
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, args, stdout, stderr)
	case "user":
		return userCommand(ctx, cfg, args, stdout, stderr)
	case "backup":
		return backup(ctx, cfg, args, stdout, stderr)
	case "import":
		return importFile(ctx, cfg, args, stdout, stderr)
	case "export":
		return exportWinners(ctx, cfg, args, stdout, stderr)
	case "purge":
		return purge(ctx, cfg, args, stdout, stderr)
	case "migrate":
		return migrateCommand(ctx, cfg, args, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// config is hoithi's configuration, all from the environment.
type config struct {
	addr           string
	dbPath         string
	demo           bool
	adminEmail     string
	adminPassword  string
	rateLimit      bool
	metricsToken   string
	pprof          bool
	jwtSecret      string
	keyFile        string
	tokenTTL       time.Duration
	grace          time.Duration
	secureCookie   bool
	trustedProxies []string
	batchWait      time.Duration
	bcryptCost     int
	logLevel       slog.Level
	// wsPerAddress caps the websockets open from one client address (0:
	// no cap); hashWorkers is how many password hashes run at once.
	wsPerAddress int
	hashWorkers  int
	// smtp sends the reset links people ask for by e-mail; nil: none.
	// publicURL is the site's address as people reach it.
	smtp      *mail.SMTP
	publicURL string
	// controller is the installation's data controller, named in the
	// consent text of every contest that names none.
	controller quiz.Controller
	// clock is the time everything runs on (set by runOn, not the
	// environment).
	clock quiz.Clock
}

// defaultWSPerAddress is the default cap on websockets from one client
// address: a school or commune office of 500 people behind one address,
// each with an attempt and a leaderboard open.
const defaultWSPerAddress = 1000

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{
		addr: ":8080", dbPath: "hoithi.db", demo: true, rateLimit: true,
		tokenTTL: 7 * 24 * time.Hour, grace: 3 * time.Second, bcryptCost: bcrypt.DefaultCost,
		wsPerAddress: defaultWSPerAddress, hashWorkers: runtime.GOMAXPROCS(0),
	}
	str := func(key string, dst *string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	str("HOITHI_ADDR", &cfg.addr)
	str("HOITHI_DB", &cfg.dbPath)
	str("HOITHI_ADMIN_EMAIL", &cfg.adminEmail)
	str("HOITHI_ADMIN_PASSWORD", &cfg.adminPassword)
	str("HOITHI_METRICS_TOKEN", &cfg.metricsToken)
	str("HOITHI_JWT_SECRET", &cfg.jwtSecret)
	str("HOITHI_KEY_FILE", &cfg.keyFile)
	str("HOITHI_CONTROLLER_NAME", &cfg.controller.Name)
	str("HOITHI_CONTROLLER_ADDRESS", &cfg.controller.Address)
	str("HOITHI_CONTROLLER_CONTACT", &cfg.controller.Contact)
	var errs []error
	boolean := func(key string, dst *bool) {
		v := getenv(key)
		if v == "" {
			return
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want 1 or 0", key, v))
			return
		}
		*dst = b
	}
	boolean("HOITHI_DEMO", &cfg.demo)
	boolean("HOITHI_RATE_LIMIT", &cfg.rateLimit)
	boolean("HOITHI_COOKIE_SECURE", &cfg.secureCookie)
	boolean("HOITHI_PPROF", &cfg.pprof)
	duration := func(key string, dst *time.Duration, least time.Duration) {
		v := getenv(key)
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < least {
			errs = append(errs, fmt.Errorf("%s=%q: want a duration of at least %s, like 5s or 12h", key, v, least))
			return
		}
		*dst = d
	}
	duration("HOITHI_TOKEN_TTL", &cfg.tokenTTL, time.Minute)
	duration("HOITHI_GRACE", &cfg.grace, 0)
	duration("HOITHI_BATCH_WAIT", &cfg.batchWait, 0)
	if v := getenv("HOITHI_BCRYPT_COST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < bcrypt.MinCost || n > bcrypt.MaxCost {
			errs = append(errs, fmt.Errorf("HOITHI_BCRYPT_COST=%q: want %d to %d", v, bcrypt.MinCost, bcrypt.MaxCost))
		} else {
			cfg.bcryptCost = n
		}
	}
	count := func(key string, dst *int, least int) {
		v := getenv(key)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < least {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number of at least %d", key, v, least))
			return
		}
		*dst = n
	}
	count("HOITHI_WS_PER_ADDRESS", &cfg.wsPerAddress, 0)
	count("HOITHI_HASH_WORKERS", &cfg.hashWorkers, 1)
	if v := getenv("HOITHI_TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.trustedProxies = append(cfg.trustedProxies, p)
			}
		}
	}
	if v := getenv("HOITHI_LOG_LEVEL"); v != "" {
		if err := cfg.logLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("HOITHI_LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	if v := getenv("HOITHI_PUBLIC_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("HOITHI_PUBLIC_URL=%q: want the site's address as people reach it, like https://hoithi.so.gov.vn", v))
		} else {
			cfg.publicURL = strings.TrimRight(v, "/")
		}
	}
	if v := getenv("HOITHI_SMTP_URL"); v != "" {
		// The value holds a password: errors never repeat it.
		s, err := mail.Parse(v)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("HOITHI_SMTP_URL: %w", err))
		case cfg.publicURL == "":
			errs = append(errs, errors.New("HOITHI_SMTP_URL needs HOITHI_PUBLIC_URL: a mailed link must not take "+
				"the site's address from a request, whose Host header anyone can write"))
		default:
			cfg.smtp = s
		}
	}
	if cfg.jwtSecret != "" && len(cfg.jwtSecret) < 32 {
		errs = append(errs, errors.New("HOITHI_JWT_SECRET: want at least 32 characters"))
	}
	if cfg.pprof && cfg.metricsToken == "" {
		errs = append(errs, errors.New("HOITHI_PPROF needs HOITHI_METRICS_TOKEN: profiles are served only to its bearer"))
	}
	if isPostgres(cfg.dbPath) && cfg.jwtSecret == "" && cfg.keyFile == "" {
		errs = append(errs, errors.New("HOITHI_DB names a PostgreSQL database, shared by several nodes: they must sign sessions "+
			"with one key, so set HOITHI_KEY_FILE (the same file on every node) or HOITHI_JWT_SECRET"))
	}
	return cfg, errors.Join(errs...)
}

// existingDatabase checks that a command's database is there: an SQLite
// file must exist (a command does not make a new one); a PostgreSQL
// database is checked when it is opened.
func existingDatabase(cfg config) error {
	if isPostgres(cfg.dbPath) {
		return nil
	}
	if _, err := os.Stat(cfg.dbPath); err != nil {
		return fmt.Errorf("database %s: %w", cfg.dbPath, err)
	}
	return nil
}

// isPostgres reports whether HOITHI_DB names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than an SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// bcryptHasher hashes passwords with bcrypt at a fixed cost.
type bcryptHasher struct{ cost int }

func (b bcryptHasher) Hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), b.cost)
	return string(h), err
}

func (b bcryptHasher) Check(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// database is what hoithi keeps its data in: the SQLite store (one node,
// the default) or the PostgreSQL store (several nodes sharing it).
type database interface {
	quiz.PlayStore
	quiz.AccountStore
	quiz.ConsentStore
	quiz.AccountAdminStore
	quiz.CatalogStore
	quiz.IssuerStore
	quiz.AuditStore
	quiz.ResultsStore
	quiz.ReportStore
	quiz.StatsStore
	quiz.PrivacyStore
	quiz.LiveStore
	quiz.LiveAnswerWriter
	Setting(ctx context.Context, key string) (value string, ok bool, err error)
	EnsureSetting(ctx context.Context, key, value string) (string, error)
	Ping(ctx context.Context) error
	// ForgetRounds drops the rounds the store keeps read, when another
	// node changed one (quiz.RoundChanged) or its events may have been
	// missed.
	ForgetRounds()
	Close() error
}

var (
	_ database = (*store.DB)(nil)
	_ database = (*postgres.DB)(nil)
)

// services are the domain services over one open database.
type services struct {
	db database
	// closeNotifier sends what the notifier still holds for other nodes
	// and stops it; nothing to do on a single node.
	closeNotifier func()
	// notifier carries the services' changes to what follows them in this
	// process: the engine's boards, the handlers' caches.
	notifier quiz.Notifier
	accounts *quiz.Accounts
	admin    *quiz.AccountAdmin
	catalog  *quiz.Catalog
	results  *quiz.Results
	consents *quiz.Consents
}

func openServices(cfg config, log *slog.Logger, observer store.Observer) (*services, error) {
	db, notifier, closeNotifier, err := openDatabase(cfg, log, observer)
	if err != nil {
		return nil, err
	}
	provinces, err := data.Provinces()
	if err != nil {
		closeNotifier()
		db.Close()
		return nil, err
	}
	notifier.Subscribe(func(ev quiz.Event) {
		if ev.Kind == quiz.RoundChanged || ev.Kind == quiz.EventsMissed {
			db.ForgetRounds()
		}
	})
	now := cfg.clock.Now
	accounts := quiz.NewAccounts(db, bcryptHasher{cfg.bcryptCost}, provinces, now)
	accounts.SetNotifier(notifier)
	catalog := quiz.NewCatalog(db, now)
	catalog.SetNotifier(notifier)
	results := quiz.NewResults(db, now)
	results.SetNotifier(notifier)
	var mailer quiz.Mailer
	if cfg.smtp != nil {
		mailer = cfg.smtp
	}
	return &services{
		db:            db,
		closeNotifier: closeNotifier,
		notifier:      notifier,
		accounts:      accounts,
		admin:         quiz.NewAccountAdmin(db, accounts, mailer, log, now),
		catalog:       catalog,
		results:       results,
		consents:      quiz.NewConsents(db, cfg.controller, now),
	}, nil
}

// openDatabase opens the database HOITHI_DB names and the notifier its
// nodes share: an SQLite file and the process's own notifier, or a
// PostgreSQL database and the cluster's, which carries every change to the
// other nodes on it.
func openDatabase(cfg config, log *slog.Logger, observer store.Observer) (database, quiz.Notifier, func(), error) {
	if !isPostgres(cfg.dbPath) {
		db, err := store.Open(cfg.dbPath, store.Options{MaxWait: cfg.batchWait, Observer: observer, Log: log})
		if err != nil {
			return nil, nil, nil, err
		}
		return db, quiz.NewLocalNotifier(), func() {}, nil
	}
	ctx := context.Background()
	pg, err := postgres.Open(ctx, cfg.dbPath, postgres.Options{MaxWait: cfg.batchWait, Observer: observer, Log: log})
	if err != nil {
		return nil, nil, nil, err
	}
	notifier, err := cluster.New(ctx, cfg.dbPath, cluster.Options{Log: log})
	if err != nil {
		pg.Close()
		return nil, nil, nil, err
	}
	return pg, notifier, notifier.Close, nil
}

// close stops the notifier, then the database, which commits every write
// still queued.
func (svc *services) close() {
	svc.closeNotifier()
	svc.db.Close()
}

func serve(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: hoithi serve\n\nServes the web app, the API and the websockets on HOITHI_ADDR.\n")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	m := metrics.New()
	svc, err := openServices(cfg, log, m)
	if err != nil {
		return err
	}
	defer svc.close()

	key, err := jwtKey(ctx, cfg, svc.db, log)
	if err != nil {
		return err
	}
	if err := ensureAdmin(ctx, cfg, svc, stdout); err != nil {
		return err
	}
	if cfg.demo {
		if err := seedDemo(ctx, svc, log); err != nil {
			return err
		}
	}

	if cfg.pprof { // what the mutex and block profiles show
		runtime.SetMutexProfileFraction(5)
		runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	}
	var h *handlers.Handler
	// The engine subscribes before the handlers: a board it drops is gone
	// by the time the handlers' feeds ask for it again.
	engine := quiz.NewEngine(quiz.EngineConfig{
		Store: svc.db, Clock: cfg.clock, Grace: cfg.grace, Log: log, Notifier: svc.notifier, Shared: isPostgres(cfg.dbPath),
		OnAutoSubmit: func(o quiz.Outcome) { h.AttemptAutoSubmitted(o) },
	})
	live := quiz.NewLive(svc.db, svc.db, cfg.clock, log)
	privacy := quiz.NewPrivacy(svc.db, cfg.clock.Now)
	privacy.SetNotifier(svc.notifier)
	h, err = handlers.New(handlers.Deps{
		Accounts: svc.accounts, Catalog: svc.catalog, Engine: engine, Stats: svc.db, Ready: svc.db.Ping,
		Results: svc.results, Audit: svc.db, Privacy: privacy, Consents: svc.consents, Notifier: svc.notifier,
		AccountAdmin: svc.admin, PublicURL: cfg.publicURL,
		Metrics: m, MetricsToken: cfg.metricsToken, Profiling: cfg.pprof, JWTKey: key, TokenTTL: cfg.tokenTTL,
		RateLimit: cfg.rateLimit, SecureCookie: cfg.secureCookie, TrustedProxies: cfg.trustedProxies,
		SocketsPerAddress: cfg.wsPerAddress, HashWorkers: cfg.hashWorkers, Now: cfg.clock.Now, Log: log,
		Certificates: quiz.NewCertificates(svc.db, cfg.clock.Now),
		Live:         live,
	})
	if err != nil {
		return err
	}
	if err := engine.Start(ctx); err != nil {
		return err
	}
	// A single node runs every live game; a cluster's node, those the
	// load balancer sends it, taken up as their sockets arrive.
	if !isPostgres(cfg.dbPath) {
		if err := live.Start(ctx); err != nil {
			engine.Stop()
			return err
		}
	}
	app := h.App()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		engine.Stop()
		live.Stop()
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	fmt.Fprintf(stdout, "hoithi listening on http://%s (database %s)\n", displayAddr(ln.Addr()), redactURL(cfg.dbPath))
	if cfg.smtp != nil {
		log.Info("reset links are mailed on request", "server", cfg.smtp.String(), "links", cfg.publicURL)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()

	select {
	case err := <-served:
		engine.Stop()
		live.Stop()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// Live games stand still from here: no deadline, pause or phone that
	// leaves moves one on while its sockets close; the next start takes
	// them up as stored.
	live.Stop()
	// Websockets first: each finishes the message it is handling (an answer
	// being committed is acknowledged), then closes with 1001.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := h.CloseSockets(shutdownCtx); err != nil {
		log.Warn("websockets did not all close in time", "err", err)
	}
	if err := app.ShutdownWithContext(shutdownCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	engine.Stop()
	svc.admin.Wait() // reset mails on their way
	// svc.close (deferred) stops the notifier and commits every write still queued.
	log.Info("stopped")
	return nil
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return net.JoinHostPort("localhost", strconv.Itoa(tcp.Port))
	}
	return a.String()
}

// jwtKey returns HOITHI_JWT_SECRET, or the key kept in a key file beside
// the database (HOITHI_KEY_FILE), made owner-only at the first start so
// that sessions survive restarts. The key never lives in the database,
// whose backups travel: anyone holding one could sign an admin's token. A
// key an older hoithi kept there moves to the key file (when there is none
// yet, and no HOITHI_JWT_SECRET), so that sessions go on across the
// upgrade, and is erased from the database. Backups taken before the
// upgrade still hold it: where one may have left the operator's hands,
// removing the key file while the server is stopped makes a new key at the
// next start (and everyone signs in again).
func jwtKey(ctx context.Context, cfg config, db database, log *slog.Logger) ([]byte, error) {
	path := cfg.keyFile
	if path == "" {
		path = cfg.dbPath + ".key"
	}
	lite, sqlite := db.(*store.DB)
	if !sqlite { // a PostgreSQL database never held the key (hoithi migrate leaves it)
		if cfg.jwtSecret != "" {
			return []byte(cfg.jwtSecret), nil
		}
		// Every node must read the same key: one made here would be this
		// node's alone.
		key, err := readKeyFile(path, log)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("HOITHI_KEY_FILE %s does not exist: the nodes of a cluster share one key; "+
				"make it once (head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > %s) and copy it to every node", path, path)
		}
		return key, err
	}
	legacy, found, err := lite.Setting(ctx, legacyKeySetting)
	if err != nil {
		return nil, err
	}
	if found && cfg.jwtSecret == "" {
		if key, err := hex.DecodeString(legacy); err != nil || len(key) < keyBytes {
			log.Warn("the session signing key kept in the database is not a key; a new one is made", "setting", legacyKeySetting)
		} else if err := createKeyFile(path, key); err == nil {
			log.Info("session signing key moved from the database to its key file", "file", path)
		} else if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	if found {
		if _, err := lite.EraseSetting(ctx, legacyKeySetting); err != nil {
			return nil, err
		}
		log.Info("session signing key erased from the database, where every backup held it")
	}
	if cfg.jwtSecret != "" {
		return []byte(cfg.jwtSecret), nil
	}
	return loadKeyFile(path, log)
}

// legacyKeySetting is where hoithi kept its signing key before it moved to
// a file.
const legacyKeySetting = "jwt_secret"

// keyBytes is the length of a generated signing key.
const keyBytes = 32

// errKeyFileEmpty is a key file another process has created and not
// written yet.
var errKeyFileEmpty = errors.New("empty")

// loadKeyFile reads the signing key from path, creating it with a new
// random key when there is none. Two processes starting at once get one
// key: the file is created with O_EXCL, and the one that loses reads the
// winner's once it is written.
func loadKeyFile(path string, log *slog.Logger) ([]byte, error) {
	for tries := 0; ; tries++ {
		key, err := readKeyFile(path, log)
		switch {
		case err == nil:
			return key, nil
		case errors.Is(err, errKeyFileEmpty) && tries < 100:
			time.Sleep(20 * time.Millisecond)
			continue
		case !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
		fresh := make([]byte, keyBytes)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		err = createKeyFile(path, fresh)
		if err == nil {
			log.Info("session signing key created", "file", path)
		} else if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
}

// readKeyFile reads a key file of hex digits. One that other accounts may
// read is made owner-only first, or refused when it cannot be.
func readKeyFile(path string, log *slog.Logger) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return nil, fmt.Errorf("key file %s can be read by other accounts (mode %s) and could not be made 0600 (%v): run `chmod 600 %s` as its owner",
				path, mode, err, path)
		}
		log.Warn("key file was readable by other accounts; made owner-only", "file", path, "was", mode.String())
	}
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	text := strings.TrimSpace(string(data))
	if text == "" {
		return nil, fmt.Errorf("key file %s: %w", path, errKeyFileEmpty)
	}
	key, err := hex.DecodeString(text)
	if err != nil || len(key) < keyBytes {
		return nil, fmt.Errorf("key file %s: want at least %d hex digits (%d random bytes) on one line; remove the file to have a new key made (everyone then signs in again)",
			path, 2*keyBytes, keyBytes)
	}
	return key, nil
}

// createKeyFile writes key to path, which must not exist, owner-only.
func createKeyFile(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return nil
}

// ensureAdmin creates the first admin when the database has none. A
// password made up and printed here is changed at the first sign-in: the
// console it was printed on may be read by others.
func ensureAdmin(ctx context.Context, cfg config, svc *services, stdout io.Writer) error {
	has, err := svc.accounts.HasAdmin(ctx)
	if err != nil || has {
		return err
	}
	email, password, printed := cfg.adminEmail, cfg.adminPassword, false
	if email == "" {
		email = "admin@localhost"
	}
	if password == "" {
		raw := make([]byte, 12)
		if _, err := rand.Read(raw); err != nil {
			return err
		}
		password, printed = hex.EncodeToString(raw), true
	}
	u, err := svc.admin.AddStaff(ctx, quiz.StaffAccount{Email: email, Password: password, Role: quiz.RoleAdmin,
		FullName: "Quản trị viên"}, printed)
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	// The address as stored (NFC, lower case) is the one to sign in with.
	if printed {
		fmt.Fprintf(stdout, "First admin account: %s  password: %s  (shown once; to be changed at the first sign-in)\n", u.Email, password)
	} else {
		fmt.Fprintf(stdout, "First admin account: %s (password from HOITHI_ADMIN_PASSWORD)\n", u.Email)
	}
	return nil
}

// seedDemo gives an empty database the demo contest, once.
func seedDemo(ctx context.Context, svc *services, log *slog.Logger) error {
	if _, done, err := svc.db.Setting(ctx, "demo_seeded"); err != nil || done {
		return err
	}
	banks, err := svc.catalog.Banks(ctx)
	if err != nil {
		return err
	}
	contests, err := svc.catalog.Contests(ctx, false)
	if err != nil {
		return err
	}
	if len(banks) == 0 && len(contests) == 0 {
		c, err := data.SeedDemo(ctx, svc.catalog, time.Now())
		if err != nil {
			return err
		}
		log.Info("demo contest created", "contest", c.Slug, "rounds", len(c.Rounds))
	}
	_, err = svc.db.EnsureSetting(ctx, "demo_seeded", time.Now().UTC().Format(time.RFC3339))
	return err
}

// userCommand runs `hoithi user SUBCOMMAND`.
func userCommand(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "add":
		return addUser(ctx, cfg, args, stdout, stderr)
	case "disable":
		return setUserDisabled(ctx, cfg, args, true, stdout, stderr)
	case "enable":
		return setUserDisabled(ctx, cfg, args, false, stdout, stderr)
	case "password":
		return setUserPassword(ctx, cfg, args, stdout, stderr)
	}
	return errors.New("usage: hoithi user add|disable|enable|password [flags] (run one with -h)")
}

func addUser(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	return addUserFrom(ctx, cfg, args, os.Stdin, stdout, stderr)
}

// addUserFrom is `hoithi user add`, asking for the holder's name on in when
// -name is missing and in is a terminal.
func addUserFrom(ctx context.Context, cfg config, args []string, in io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the account's e-mail, used to sign in (required)")
	password := fs.String("password", "", "the password, at least 8 characters (required)")
	role := fs.String("role", "", "admin, organizer or official (required)")
	name := fs.String("name", "", "the full name of the person who uses the account, as it prints on locked lists,\ncertificates and the audit log (asked for when missing and run from a terminal)")
	mustChange := fs.Bool("must-change", false, "the holder changes this password at the first sign-in (use it when you chose\nthe password for someone else)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: hoithi user add -email E -password P -role R [-name N] [-must-change]\n\n"+
			"Creates a staff account. Without -name, the command asks for the holder's name when\n"+
			"run from a terminal; an account left unnamed shows its e-mail until an admin names it\n"+
			"on /admin/users. Contestants register on the site, where they give consent.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" && isTerminal(in) {
		fmt.Fprint(stdout, "Full name of the account's holder (as it prints on lists and certificates): ")
		line, _ := bufio.NewReader(in).ReadString('\n')
		*name = strings.TrimSpace(line)
	}
	svc, err := openServices(cfg, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer svc.close()
	u, err := svc.admin.AddStaff(ctx, quiz.StaffAccount{Email: *email, Password: *password, Role: quiz.Role(*role), FullName: *name}, *mustChange)
	if err != nil {
		return fmt.Errorf("user add: %s", messages.Explain(err))
	}
	if u.FullName == u.Email { // unnamed: the account is known by its e-mail
		fmt.Fprintf(stdout, "created %s account %d for %s, without a name: lists and certificates show its e-mail\n"+
			"until it is named (hoithi user add -name, or an admin on /admin/users)\n", u.Role, u.ID, u.Email)
	} else {
		fmt.Fprintf(stdout, "created %s account %d for %s (%s)\n", u.Role, u.ID, u.Email, u.FullName)
	}
	if *mustChange {
		fmt.Fprintln(stdout, "its holder changes the password at the first sign-in")
	}
	return nil
}

// isTerminal reports whether r is a terminal a person types into.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// setUserDisabled is `hoithi user disable` and `hoithi user enable`.
func setUserDisabled(ctx context.Context, cfg config, args []string, disabled bool, stdout, stderr io.Writer) error {
	name, help := "user enable", "Lets a disabled staff account sign in again. Its old sessions stay ended.\n"
	if disabled {
		name, help = "user disable", "Stops a staff account signing in and ends its sessions. A server running on the\n"+
			"same database notices within "+sessionPolling+"; contestants' accounts are not disabled this way.\n"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the staff account's e-mail (required)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: hoithi %s -email E\n\n%s\n", name, help)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return fmt.Errorf("%s: -email E is required", name)
	}
	svc, err := openServices(cfg, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer svc.close()
	u, err := svc.accounts.AccountByEmail(ctx, *email)
	if err == nil {
		u, err = svc.accounts.SetDisabled(ctx, u.ID, disabled, quiz.Actor{Name: "hoithi " + name + " (command line)"})
	}
	if quiz.ErrorCode(err) == quiz.CodeNotFound {
		return fmt.Errorf("%s: no staff account has the e-mail %s", name, *email)
	}
	if err != nil {
		return fmt.Errorf("%s: %s", name, messages.Explain(err))
	}
	if disabled {
		fmt.Fprintf(stdout, "disabled %s account %d (%s): it cannot sign in, and its sessions end (within %s on a running server)\n",
			u.Role, u.ID, u.Email, sessionPolling)
	} else {
		fmt.Fprintf(stdout, "enabled %s account %d (%s): it can sign in again\n", u.Role, u.ID, u.Email)
	}
	return nil
}

// sessionPolling is how soon a running server honours a session ended by
// another process, as the commands say it.
var sessionPolling = fmt.Sprintf("%.0f seconds", quiz.SessionsTTL.Seconds())

// setUserPassword is `hoithi user password`.
func setUserPassword(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the account's e-mail (required)")
	password := fs.String("password", "", "the new password, at least 8 characters (required)")
	mustChange := fs.Bool("must-change", true, "the holder changes this password at the next sign-in; -must-change=false\nwhen the holder chose it")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: hoithi user password -email E -password P [-must-change=false]\n\n"+
			"Sets the password of the account with that e-mail (staff, or a contestant who gave one)\n"+
			"and ends every session of it: a server running on the same database notices within %s.\n"+
			"The holder changes it at the next sign-in.\n\n", sessionPolling)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		fs.Usage()
		return errors.New("user password: -email E is required")
	}
	svc, err := openServices(cfg, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer svc.close()
	u, err := svc.accounts.AccountByEmail(ctx, *email)
	if quiz.ErrorCode(err) == quiz.CodeNotFound {
		return fmt.Errorf("user password: no account has the e-mail %s", *email)
	}
	if err == nil {
		u, err = svc.accounts.ResetPassword(ctx, u.ID, *password, quiz.Actor{Name: "hoithi user password (command line)"})
	}
	// Whoever chose the password now set decides whether one is owed.
	if err == nil && *mustChange {
		err = svc.admin.RequireChange(ctx, u.ID)
	} else if err == nil {
		err = svc.admin.PasswordChanged(ctx, u.ID)
	}
	if err != nil {
		return fmt.Errorf("user password: %s", messages.Explain(err))
	}
	fmt.Fprintf(stdout, "password of %s account %d (%s) set; every session of it has ended (within %s on a running server)\n",
		u.Role, u.ID, u.Email, sessionPolling)
	if *mustChange {
		fmt.Fprintln(stdout, "its holder changes the password at the next sign-in")
	}
	return nil
}

func backup(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "the file to write; it must not exist yet (required)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: hoithi backup -o FILE\n\nWrites a consistent copy of the database, also while a server is running on it.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errors.New("backup: -o FILE is required")
	}
	if isPostgres(cfg.dbPath) {
		return errors.New("backup: HOITHI_DB names a PostgreSQL database: back it up with pg_dump and WAL archiving (docs/SCALING.md)")
	}
	if _, err := os.Stat(cfg.dbPath); err != nil {
		return fmt.Errorf("backup: database %s: %w", cfg.dbPath, err)
	}
	db, err := store.Open(cfg.dbPath, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *out); err != nil {
		return err
	}
	info, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s (%d bytes)\n", cfg.dbPath, *out, info.Size())
	return nil
}

func importFile(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bank := fs.String("bank", "", "the bank's name; it is created when there is none (required)")
	format := fs.String("format", "", "xlsx, csv, json, gift or aiken (default: from the file's extension)")
	sheet := fs.String("sheet", "", "xlsx: the sheet to read (default: the first)")
	dryRun := fs.Bool("dry-run", false, "report what would be imported; store nothing")
	skipInvalid := fs.Bool("skip-invalid", false, "store the valid questions even when others have errors")
	lang := fs.String("lang", "vi", "language of the report: vi or en")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: hoithi import -bank NAME [flags] FILE\n\nImports a question bank file into a bank and prints the import report.\nWith any error nothing is stored, unless -skip-invalid.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bank == "" || fs.NArg() != 1 {
		fs.Usage()
		return errors.New("import: -bank NAME and one FILE are required")
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	svc, err := openServices(cfg, slog.New(slog.NewTextHandler(stderr, nil)), nil)
	if err != nil {
		return err
	}
	defer svc.close()
	b, created, err := svc.catalog.BankNamed(ctx, *bank)
	if err != nil {
		return fmt.Errorf("import: %s", messages.Explain(err))
	}
	report, err := svc.catalog.Import(ctx, b.ID, data, quiz.ImportOptions{
		Format: quiz.Format(*format), FileName: fs.Arg(0), Sheet: *sheet, DryRun: *dryRun, SkipInvalid: *skipInvalid,
	})
	if err != nil {
		return fmt.Errorf("import: %s", messages.Explain(err))
	}
	if created {
		fmt.Fprintf(stdout, "created bank %q (id %d)\n", b.Name, b.ID)
	}
	verb := "imported"
	if *dryRun {
		verb = "would import"
	}
	fmt.Fprintf(stdout, "%s: %s %d questions into bank %q (id %d); %d duplicates skipped; %d errors, %d warnings\n",
		fs.Arg(0), verb, report.Imported, b.Name, b.ID, report.Duplicates, len(report.Errors), len(report.Warnings))
	for _, group := range []struct {
		title    string
		problems []quiz.Problem
	}{{"error", report.Errors}, {"warning", report.Warnings}} {
		for _, p := range group.problems {
			where := fmt.Sprintf("line %d", p.Line)
			if p.Column != "" {
				where += ", " + p.Column
			}
			fmt.Fprintf(stdout, "  %s: %s: %s\n", group.title, where, messages.Text(*lang, p.Key, p.Args...))
		}
	}
	if len(report.Errors) > 0 && !*skipInvalid && !*dryRun {
		return fmt.Errorf("import: %d errors; nothing stored (fix them, or use -skip-invalid to store the valid questions)", len(report.Errors))
	}
	return nil
}
