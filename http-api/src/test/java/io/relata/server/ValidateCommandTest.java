package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code relata validate}: passing and failing validation files of every kind. */
class ValidateCommandTest {

    @TempDir
    Path dir;


    private static final String SCHEMA = """
            schema: |-
              definition user {}

              caveat on_vpn(vpn bool) {
                vpn
              }

              definition group {
                relation member: user | group#member
              }

              definition doc {
                relation viewer: user | user:* | group#member | user with on_vpn
                relation banned: user
                permission view = viewer - banned
              }
            relationships: |-
              group:eng#member@user:alice
              doc:readme#viewer@group:eng#member
              doc:readme#viewer@user:carol[on_vpn]
              doc:public#viewer@user:*
              doc:public#banned@user:mallory
            """;

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void aFileWhoseAssertionsAndExpectationsHold_passes() throws Exception {
        Path file = file("ok.yaml", SCHEMA + """
                assertions:
                  assertTrue:
                    - doc:readme#view@user:alice
                    - 'doc:readme#view@user:carol with {"vpn": true}'
                    - doc:public#view@user:anyone
                  assertFalse:
                    - doc:readme#view@user:bob
                    - doc:public#view@user:mallory
                  assertCaveated:
                    - doc:readme#view@user:carol
                validation:
                  doc:readme#view:
                    - "[user:alice] is <group:eng#member>"
                    - "[user:carol[...]] is <doc:readme#viewer>"
                    - "[group:eng#member] is <doc:readme#viewer>"
                  doc:public#view:
                    - "[user:* - {user:mallory}] is <doc:public#viewer>"
                """);

        Cli.Run run = Cli.run("validate", file.toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("ok (5 relationships, 6 assertions)");
    }

    @Test
    void failingAssertionsAndExpectations_areReportedWithTheirLines() throws Exception {
        Path file = file("fail.yaml", SCHEMA + """
                assertions:
                  assertTrue:
                    - doc:readme#view@user:bob
                  assertFalse:
                    - doc:readme#view@user:alice
                  assertCaveated:
                    - 'doc:readme#view@user:carol with {"vpn": false}'
                validation:
                  doc:readme#view:
                    - "[user:alice] is <group:eng#member>"
                """);

        Cli.Run run = Cli.run("validate", file.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err())
                .contains(file + ":25: assertTrue doc:readme#view@user:bob failed: expected HAS, found NO")
                .contains(file + ":27: assertFalse doc:readme#view@user:alice failed: expected NO, found HAS")
                .contains(file + ":29: assertCaveated doc:readme#view@user:carol with {\"vpn\": false} failed:"
                        + " expected CONDITIONAL, found NO")
                .contains(file + ":31: validation of doc:readme#view failed: expected subjects [user:alice], found"
                        + " [group:eng#member, user:alice, user:carol[...]]");
    }

    @Test
    void unreadableFiles_exitTwo_withThePosition() throws Exception {
        Path badYaml = file("bad.yaml", "schema: [unclosed\n");
        Path badSchema = file("schema.yaml", "schema: |-\n  definition user {}\n  definition doc {\n    relation viewer: usr\n  }\n");
        Path badRelationship = file("rel.yaml", SCHEMA.replace("doc:public#banned@user:mallory", "doc:public#banned@group:eng"));
        Path missing = dir.resolve("missing.yaml");

        Cli.Run yaml = Cli.run("validate", badYaml.toString());
        Cli.Run schema = Cli.run("validate", badSchema.toString());
        Cli.Run relationship = Cli.run("validate", badRelationship.toString());
        Cli.Run absent = Cli.run("validate", missing.toString());

        assertThat(yaml.status()).isEqualTo(2);
        assertThat(yaml.err()).contains("not valid YAML");
        assertThat(schema.status()).isEqualTo(2);
        assertThat(schema.err()).contains(badSchema + ":4:22: relation `viewer` allows `usr`");
        assertThat(relationship.status()).isEqualTo(2);
        assertThat(relationship.err()).contains("does not allow group:eng");
        assertThat(absent.status()).isEqualTo(2);
        assertThat(absent.err()).contains("cannot read");
    }

    private static final String CHAINS = """
            schema: |-
              definition user {}

              caveat on_vpn(vpn bool) {
                vpn
              }

              definition token {
                relation owner: user
              }

              definition doc {
                relation viewer: user | user with on_vpn
                relation token_viewer: token
                permission view = viewer
                permission token_view = token_viewer
              }

              composite token_of_owner = token > user where token#owner {
                permission doc#view = token_view > view
              }
            relationships: |-
              token:t1#owner@user:alice
              doc:readme#token_viewer@token:t1
              doc:readme#viewer@user:alice
              doc:plan#token_viewer@token:t1
              doc:plan#viewer@user:alice[on_vpn]
              doc:notes#viewer@user:alice
            """;

    @Test
    void chainAssertions_holdPositiveNegativeAndCaveated() throws Exception {
        Path file = file("chains.yaml", CHAINS + """
                assertions:
                  assertTrue:
                    - doc:readme#view@token:t1>user:alice
                    - 'doc:plan#view@token:t1>user:alice with {"vpn": true}'
                  assertFalse:
                    - doc:notes#view@token:t1>user:alice
                    - doc:readme#view@token:t1>user:bob
                  assertCaveated:
                    - doc:plan#view@token:t1>user:alice
                """);

        Cli.Run run = Cli.run("validate", file.toString());

        assertThat(run.err()).isEmpty();
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("ok (6 relationships, 5 assertions)");
    }

    @Test
    void failingChainAssertion_saysWhichLinkRefused_andAnUncoveredChainIsNamed() throws Exception {
        Path file = file("chains-fail.yaml", CHAINS + """
                assertions:
                  assertTrue:
                    - doc:notes#view@token:t1>user:alice
                    - doc:notes#view@user:alice>token:t1
                """);

        Cli.Run run = Cli.run("validate", file.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("chains-fail.yaml:31: assertTrue doc:notes#view@token:t1>user:alice failed:"
                + " expected HAS, found NO (composite `token_of_owner`: token:t1#owner@user:alice: HAS,"
                + " doc:notes#token_view@token:t1: NO, doc:notes#view@user:alice: not asked)");
        assertThat(run.err()).contains("chains-fail.yaml:32: assertTrue doc:notes#view@user:alice>token:t1 could not be"
                + " checked: the schema declares no composite with the chain `user > token`");
    }
}
