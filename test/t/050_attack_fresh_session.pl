# Issue 8, finding 1, with autoxfer preloaded (as docs/guide-dba.md
# recommends): the first statement of a new session, under a hostile
# search_path set as the role's default, is a COPY on the bulk path, an
# INSERT, a classify() or a SECURITY LABEL.  Each compiles a protected
# table from a cold cache, reading autoxfer's catalogue as the extension's
# owner.  The writer's schema shadows the operators (=(oid, oid),
# =(text, text), =(name, name), =(regclass, regclass)) and the types (text,
# oid) those queries use; none of the shadows may run, as the owner or at
# all, and the labels must be what the declarations say.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('attack');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'autoxfer'\n");
$node->start;

$node->safe_psql('postgres', q{
	SET client_min_messages = warning;
	CREATE EXTENSION autoxfer;
	CREATE ROLE ax_writer LOGIN;
	CREATE ROLE ax_reader LOGIN IN ROLE autoxfer_auditor;
	CREATE ROLE ax_owner LOGIN IN ROLE autoxfer_admin;
	CREATE SCHEMA m AUTHORIZATION ax_writer;
	GRANT USAGE ON SCHEMA m TO PUBLIC;
	CREATE SCHEMA own AUTHORIZATION ax_owner;
	CREATE TABLE public.ax_log (who name, what text);
	GRANT INSERT ON public.ax_log TO PUBLIC;
	CREATE TABLE public.frames (id int, owner_id text, face boolean, cabin_audio text);
	SELECT autoxfer.declare_column('frames', 'face', 'faces_visible'),
		   autoxfer.declare_column('frames', 'cabin_audio', 'sensitive_personal'),
		   autoxfer.protect('frames', 'connected_operation', 'owner_id');
	CREATE TABLE public.located (id int, owner_id text, lat float8, lon float8);
	SELECT autoxfer.declare_column('located', 'lat', 'latitude'),
		   autoxfer.declare_column('located', 'lon', 'longitude'),
		   autoxfer.protect('located', 'connected_operation', 'owner_id');
	INSERT INTO autoxfer.sensitive_area (name, kind, area)
	VALUES ('zone', 'military_zone', box '((116.0,39.0),(116.5,39.5))');
	GRANT INSERT ON public.frames, public.located TO ax_writer;
	GRANT SELECT ON public.frames TO ax_reader;
	CREATE TABLE own.owned (id int, owner_id text, plate boolean);
	ALTER TABLE own.owned OWNER TO ax_owner;
});

# the writer's shadows: each logs that it ran, as whom, and tries to make
# the writer a superuser
$node->safe_psql('postgres', q{
	SET ROLE ax_writer;
	CREATE FUNCTION m.shadow(what text) RETURNS boolean LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO public.ax_log VALUES (current_user, what);
		BEGIN
			EXECUTE 'ALTER ROLE ax_writer SUPERUSER';
		EXCEPTION WHEN insufficient_privilege THEN NULL;
		END;
		RETURN true;
	END
	$$;
	CREATE FUNCTION m.eq(a oid, b oid) RETURNS boolean LANGUAGE plpgsql AS
		$$ BEGIN PERFORM m.shadow('=(oid, oid)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
	CREATE OPERATOR m.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = m.eq);
	CREATE FUNCTION m.eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS
		$$ BEGIN PERFORM m.shadow('=(text, text)'); RETURN false; END $$;
	CREATE OPERATOR m.= (LEFTARG = text, RIGHTARG = text, FUNCTION = m.eq);
	CREATE FUNCTION m.eq(a name, b name) RETURNS boolean LANGUAGE plpgsql AS
		$$ BEGIN PERFORM m.shadow('=(name, name)'); RETURN false; END $$;
	CREATE OPERATOR m.= (LEFTARG = name, RIGHTARG = name, FUNCTION = m.eq);
	CREATE FUNCTION m.eq(a regclass, b regclass) RETURNS boolean LANGUAGE plpgsql AS
		$$ BEGIN PERFORM m.shadow('=(regclass, regclass)'); RETURN a::pg_catalog.oid OPERATOR(pg_catalog.=) b::pg_catalog.oid; END $$;
	CREATE OPERATOR m.= (LEFTARG = regclass, RIGHTARG = regclass, FUNCTION = m.eq);
	CREATE DOMAIN m.text AS pg_catalog.text CHECK (m.shadow('domain m.text'));
	CREATE DOMAIN m.oid AS pg_catalog.oid CHECK (m.shadow('domain m.oid'));
	RESET ROLE;
	-- every session of these roles starts with the shadows first
	ALTER ROLE ax_writer SET search_path = m, pg_catalog;
	ALTER ROLE ax_reader SET search_path = m, pg_catalog;
	ALTER ROLE ax_owner SET search_path = m, pg_catalog;
	ALTER ROLE ax_writer SET client_min_messages = debug1;
});

# nothing ran, and nobody was made a superuser
sub nothing_ran
{
	my ($what) = @_;
	is($node->safe_psql('postgres', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'ax_writer'}),
		'f', "$what: the writer is no superuser");
	is($node->safe_psql('postgres', q{SELECT coalesce(string_agg(DISTINCT who || ' ' || what, ', '), 'none') FROM ax_log}),
		'none', "$what: no shadow ran");
	$node->safe_psql('postgres', q{ALTER ROLE ax_writer NOSUPERUSER; TRUNCATE ax_log});
}

# a COPY as the first statement of the writer's session: the bulk path
my ($ret, $out, $err) = $node->psql('postgres',
	"COPY public.frames (id, owner_id, face, cabin_audio) FROM STDIN;\n1\tU1\tt\t\\N\n2\t\\N\tf\taudio\n3\t\\N\tf\t\\N\n\\.\n",
	extra_params => [ '-U', 'ax_writer' ]);
is($ret, 0, 'COPY as the first statement of the writer') or diag($err);
like($err, qr/COPY into "frames" labels and writes its rows in batches/, 'it takes the bulk path');
nothing_ran('bulk COPY');
is($node->safe_psql('postgres', q{SELECT string_agg(id || ' ' || xfer_label, ' | ' ORDER BY id) FROM frames}),
	'1 important/blocked scenario=connected_operation elements={personal_information} rule=5 gen=1 tallies={personal}'
	  . ' | 2 sensitive_personal/blocked scenario=connected_operation rule=103 gen=1'
	  . ' | 3 general/exportable scenario=connected_operation gen=1',
	'the bulk COPY labels as the declarations say');

# an INSERT as the first statement, into a table where rule I1 applies: the
# writer has no EXECUTE on in_sensitive_area, no USAGE on schema autoxfer
($ret, $out, $err) = $node->psql('postgres',
	q{INSERT INTO public.located VALUES (1, NULL, 39.2, 116.2), (2, NULL, 20, 100)},
	extra_params => [ '-U', 'ax_writer' ]);
is($ret, 0, 'INSERT as the first statement of the writer') or diag($err);
nothing_ran('INSERT');
is($node->safe_psql('postgres', q{SELECT string_agg(id || ' ' || autoxfer.category(xfer_label), ' ' ORDER BY id) FROM located}),
	'1 important 2 general', 'rule I1 applies without any right on autoxfer');

# classify() as the first statement of an auditor's session
($ret, $out, $err) = $node->psql('postgres',
	q{SELECT string_agg(f.id || ' ' || autoxfer.category(autoxfer.classify(f)), ' ' ORDER BY f.id) FROM public.frames f},
	extra_params => [ '-U', 'ax_reader' ]);
is($ret, 0, 'classify() as the first statement') or diag($err);
is($out, '1 important 2 sensitive_personal 3 general', 'classify() sees every declaration');
nothing_ran('classify');

# SECURITY LABEL as the first statement of the table owner's session
($ret, $out, $err) = $node->psql('postgres',
	q{SECURITY LABEL FOR autoxfer ON COLUMN own.owned.plate IS 'plates_visible'},
	extra_params => [ '-U', 'ax_owner' ]);
is($ret, 0, 'SECURITY LABEL as the first statement of the owner') or diag($err);
($ret, $out, $err) = $node->psql('postgres',
	q{SECURITY LABEL FOR autoxfer ON TABLE own.owned IS 'scenario=connected_operation subject=owner_id';
	  INSERT INTO own.owned VALUES (1, NULL, true);
	  SECURITY LABEL FOR autoxfer ON COLUMN own.owned.plate IS 'plates_visible'},
	extra_params => [ '-U', 'ax_owner' ]);
is($ret, 0, 'the table protected by a label, relabelled') or diag($err);
nothing_ran('SECURITY LABEL');
is($node->safe_psql('postgres', q{SELECT string_agg(attname || ':' || kind, ' ') FROM autoxfer.declaration WHERE rel = 'own.owned'::regclass}),
	'plate:plates_visible', 'the declaration is there');
is($node->safe_psql('postgres', q{SELECT autoxfer.category(xfer_label) FROM own.owned}),
	'important', 'and the row is labelled by it');

$node->stop;
done_testing();
