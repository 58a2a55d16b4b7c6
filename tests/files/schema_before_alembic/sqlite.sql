-- The schema of the last release before Alembic (main at d03493c): what Base.metadata.create_all
-- emitted on sqlite. tests/test_migrations.py builds an old database from it. Never edit.
CREATE TABLE partner (
	id VARCHAR(64) NOT NULL,
	name VARCHAR(200) NOT NULL,
	url TEXT NOT NULL,
	format VARCHAR(32) NOT NULL,
	status VARCHAR(16) NOT NULL,
	paused BOOLEAN NOT NULL,
	interval_minutes INTEGER NOT NULL,
	cron VARCHAR(120),
	website TEXT,
	default_country VARCHAR(2),
	contact_email VARCHAR(200),
	cause_overrides JSON NOT NULL,
	created_at DATETIME NOT NULL,
	etag TEXT,
	last_modified TEXT,
	PRIMARY KEY (id)
);

CREATE TABLE scheduler_heartbeat (
	name VARCHAR(64) NOT NULL,
	host VARCHAR(255) NOT NULL,
	pid INTEGER NOT NULL,
	started_at DATETIME NOT NULL,
	beat_at DATETIME NOT NULL,
	jobs INTEGER NOT NULL,
	interval_seconds INTEGER NOT NULL,
	stopped_at DATETIME,
	PRIMARY KEY (name)
);

CREATE TABLE operator (
	id INTEGER NOT NULL,
	email VARCHAR(254) NOT NULL,
	password_hash TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	failed_logins INTEGER NOT NULL,
	locked_until DATETIME,
	last_login_at DATETIME,
	session_version INTEGER DEFAULT '0' NOT NULL,
	PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_operator_email ON operator (email);

CREATE TABLE rate_bucket (
	"key" VARCHAR(400) NOT NULL,
	tokens FLOAT NOT NULL,
	updated FLOAT NOT NULL,
	PRIMARY KEY ("key")
);

CREATE TABLE alert_incident (
	id INTEGER NOT NULL,
	partner_id VARCHAR(64) NOT NULL,
	kind VARCHAR(20) NOT NULL,
	open_key VARCHAR(100),
	message TEXT NOT NULL,
	opened_at DATETIME NOT NULL,
	resolved_at DATETIME,
	notified_at DATETIME,
	recovery_notified_at DATETIME,
	delivered JSON NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (open_key)
);

CREATE INDEX ix_alert_incident_resolved_at ON alert_incident (resolved_at);

CREATE INDEX ix_alert_incident_partner_id ON alert_incident (partner_id);

CREATE TABLE partner_access (
	id INTEGER NOT NULL,
	partner_id VARCHAR(64) NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	used_at DATETIME,
	PRIMARY KEY (id)
);

CREATE INDEX ix_partner_access_partner_id ON partner_access (partner_id);

CREATE UNIQUE INDEX ix_partner_access_token_hash ON partner_access (token_hash);

CREATE TABLE opportunity_activity (
	id INTEGER NOT NULL,
	opportunity_id VARCHAR(96) NOT NULL,
	partner_id VARCHAR(64) NOT NULL,
	org_slug VARCHAR(200) NOT NULL,
	month VARCHAR(7) NOT NULL,
	views INTEGER NOT NULL,
	clicks INTEGER NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_activity_opportunity_month UNIQUE (opportunity_id, month)
);

CREATE INDEX ix_opportunity_activity_opportunity_id ON opportunity_activity (opportunity_id);

CREATE INDEX ix_opportunity_activity_partner_id ON opportunity_activity (partner_id);

CREATE INDEX ix_opportunity_activity_org_slug ON opportunity_activity (org_slug);

CREATE INDEX ix_opportunity_activity_month ON opportunity_activity (month);

CREATE TABLE problem_report (
	id INTEGER NOT NULL,
	opportunity_id VARCHAR(96) NOT NULL,
	partner_id VARCHAR(64) NOT NULL,
	reason VARCHAR(32) NOT NULL,
	comment TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	status VARCHAR(16) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_problem_report_opportunity_id ON problem_report (opportunity_id);

CREATE INDEX ix_problem_report_created_at ON problem_report (created_at);

CREATE INDEX ix_problem_report_status ON problem_report (status);

CREATE INDEX ix_problem_report_partner_id ON problem_report (partner_id);

CREATE TABLE crawl_run (
	id INTEGER NOT NULL,
	partner_id VARCHAR(64) NOT NULL,
	"trigger" VARCHAR(16) NOT NULL,
	status VARCHAR(20) NOT NULL,
	started_at DATETIME NOT NULL,
	finished_at DATETIME,
	format VARCHAR(32),
	seen INTEGER NOT NULL,
	new INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	unchanged INTEGER NOT NULL,
	rejected INTEGER NOT NULL,
	removed INTEGER NOT NULL,
	"indexed" INTEGER NOT NULL,
	expired_on_arrival INTEGER,
	http_status INTEGER,
	bytes INTEGER NOT NULL,
	rejected_by_reason JSON NOT NULL,
	errors JSON NOT NULL,
	message TEXT,
	log_file TEXT,
	host VARCHAR(255),
	pid INTEGER,
	heartbeat_at DATETIME,
	lease_expires_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(partner_id) REFERENCES partner (id) ON DELETE CASCADE
);

CREATE INDEX ix_crawl_run_partner_id ON crawl_run (partner_id);

CREATE INDEX ix_crawl_run_status ON crawl_run (status);

CREATE TABLE stored_opportunity (
	id VARCHAR(96) NOT NULL,
	partner_id VARCHAR(64) NOT NULL,
	source_id TEXT NOT NULL,
	content_hash VARCHAR(64) NOT NULL,
	data JSON NOT NULL,
	first_seen DATETIME NOT NULL,
	last_seen DATETIME NOT NULL,
	state VARCHAR(12) NOT NULL,
	gone_at DATETIME,
	indexed_hash VARCHAR(64),
	expiry DATETIME,
	group_key VARCHAR(20),
	duplicate_of VARCHAR(96),
	sources_hash VARCHAR(32),
	PRIMARY KEY (id),
	FOREIGN KEY(partner_id) REFERENCES partner (id) ON DELETE CASCADE
);

CREATE INDEX ix_stored_opportunity_duplicate_of ON stored_opportunity (duplicate_of);

CREATE INDEX ix_stored_opportunity_state ON stored_opportunity (state);

CREATE INDEX ix_stored_opportunity_grouping ON stored_opportunity (state, group_key, partner_id);

CREATE INDEX ix_stored_opportunity_expiry ON stored_opportunity (expiry);

CREATE INDEX ix_stored_opportunity_partner_id ON stored_opportunity (partner_id);

CREATE INDEX ix_stored_opportunity_sources_hash ON stored_opportunity (sources_hash);

CREATE TABLE direct_posting (
	id VARCHAR(32) NOT NULL,
	partner_id VARCHAR(64) NOT NULL,
	status VARCHAR(12) NOT NULL,
	data JSON NOT NULL,
	opportunity_id VARCHAR(96),
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	expires_reminded_at DATETIME,
	reminder_status VARCHAR(12),
	PRIMARY KEY (id),
	FOREIGN KEY(partner_id) REFERENCES partner (id) ON DELETE CASCADE
);

CREATE INDEX ix_direct_posting_status ON direct_posting (status);

CREATE INDEX ix_direct_posting_partner_id ON direct_posting (partner_id);
