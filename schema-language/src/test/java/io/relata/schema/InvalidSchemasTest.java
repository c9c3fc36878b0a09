package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schemas that must be refused, each with the message it must get and where. In each
 * schema, {@code «} marks the line and column the first error must point at; it is removed
 * before compiling.
 */
class InvalidSchemasTest {

    private static final String MARK = "«";

    record Case(String schema, String message) {}

    private static Arguments bad(String name, String schema, String message) {
        return Arguments.of(Named.of(name, new Case(schema, message)));
    }

    static Stream<Arguments> cases() {
        String user = "definition user {}\n";
        return Stream.of(
                // ---- syntax ----
                bad("definitionBraceOnNextLine", "definition user«\n{}", "unexpected end of line; expected `{`"),
                bad("relationWithoutColon", user + "definition doc {\n  relation viewer «user\n}",
                        "unexpected name `user`; expected `:`"),
                bad("permissionDanglingIntersection", user + "definition doc {\n  relation viewer: user\n"
                        + "  permission view = viewer &\n«}", "unexpected `}`; expected `nil`, `(` or a name"),
                bad("chainedArrows", user + "definition org {\n  relation admin: user\n}\n"
                        + "definition folder {\n  relation org: org\n}\n"
                        + "definition doc {\n  relation parent: folder\n  permission admin = parent->org«->admin\n}",
                        "chained arrows (`parent->org->admin`) are not supported"),
                bad("arrowFunctionOtherThanAnyAll", user + "definition folder {\n  relation viewer: user\n}\n"
                        + "definition doc {\n  relation parent: folder\n  permission view = parent.«some(viewer)\n}",
                        "unexpected name `some`; expected `any` or `all`"),
                bad("hashComment", user + "definition doc {\n  «# a comment\n  relation viewer: user\n}",
                        "comments start with `//` or `/*`"),
                bad("unclosedComment", user + "definition doc {\n  «/* never closed\n  relation viewer: user\n}",
                        "this comment is never closed; end it with `*/`"),
                bad("unknownCharacter", user + "definition doc {\n  relation viewer: «@user\n}",
                        "unexpected character `@`"),
                bad("caveatParametersOnSeveralLines", "caveat window(\n  now timestamp«\n) {\n  now > now\n}",
                        "a line break ends a statement here"),
                bad("keywordAsRelationType", user + "definition doc {\n  relation viewer: «nil\n}",
                        "`nil` is a keyword and cannot be used as a name"),
                bad("pipeInPermission", user + "definition doc {\n  relation viewer: user\n  relation editor: user\n"
                        + "  permission view = viewer «| editor\n}", "permissions combine with `+` (union)"),
                bad("subjectRelationInPermission", user + "definition doc {\n  relation viewer: user\n"
                        + "  permission view = viewer + user«#member\n}",
                        "`type#relation` belongs in a relation's types"),
                bad("wildcardWithSubjectRelation", user + "definition doc {\n  relation viewer: user:*«#member\n}",
                        "unexpected `#`"),
                bad("twoStatementsOnOneLine", user + "definition doc {\n  relation viewer: user «relation editor: user\n}",
                        "unexpected keyword `relation`; expected end of line"),
                bad("closingBraceOnTheLineOfARelation", user + "definition doc { relation viewer: user «}",
                        "unexpected `}`; expected end of line (a statement ends at a line break or `;`, not at `}`"),
                bad("closingBraceOnTheLineOfAPermission", user + "definition doc {\n  relation viewer: user\n"
                        + "  permission view = viewer «}", "a statement ends at a line break or `;`, not at `}`"),
                bad("closingBraceAfterAWildcard", user + "definition doc {\n  relation viewer: user:* «}",
                        "unexpected `}`; expected end of line"),
                bad("closingBraceAfterACaveatedType", "caveat ok(a int) { a > 1 }\n" + user
                        + "definition doc {\n  relation viewer: user with ok «}", "not at `}`"),
                bad("closingBraceAfterAComment", user + "definition doc {\n  relation viewer: user /* who */ «}",
                        "not at `}`"),
                bad("ellipsisAtTheEndOfTheLastLine", user + "definition doc {\n  relation viewer: user#...\n«}",
                        "unexpected `}`; expected end of line (a line break does not end a statement after"
                                + " `user#...`; write `user`, which means the same, or end the statement with `;`)"),
                bad("ellipsisAtTheEndOfALine", user + "definition doc {\n  relation viewer: user#...\n"
                        + "  «relation editor: user\n}", "a line break does not end a statement after `user#...`"),
                bad("ellipsisOfAPrefixedTypeAtTheEndOfALine", "definition acme/user {}\ndefinition acme/team {}\n"
                        + "definition doc {\n  relation viewer: acme/team | acme/user#... // who\n«}",
                        "after `acme/user#...`; write `acme/user`"),
                bad("caveatEmptyBody", "caveat adult(age int) «{}\n" + user,
                        "caveat `adult` has an empty expression"),
                bad("caveatCelSyntax", "caveat adult(age int) {\n  age >= «)\n}\n" + user,
                        "caveat `adult`: mismatched input ')'"),
                // ---- names ----
                bad("definitionNameUppercase", "definition «User {}", "`User` is not a valid definition name"),
                bad("definitionPrefixUppercase", "definition «Acme/user {}", "`Acme/user` is not a valid definition name"),
                bad("relationNameTooShort", user + "definition doc {\n  relation «vw: user\n}",
                        "`vw` is not a valid relation name: a name is 3 to 64 characters"),
                bad("permissionNameTrailingUnderscore", user + "definition doc {\n  relation viewer: user\n"
                        + "  permission «view_ = viewer\n}", "`view_` is not a valid permission name"),
                bad("keywordUnderUseExpiration", "use expiration\n" + user + "definition doc {\n  relation «and: user\n}",
                        "`and` is a keyword under `use expiration` and cannot be a name"),
                // ---- duplicates ----
                bad("duplicateDefinition", user + "definition «user {}", "`user` is already defined on line 1"),
                bad("caveatNamedLikeDefinition", user + "caveat «user(age int) {\n  age > 1\n}",
                        "definitions and caveats share one namespace"),
                bad("duplicateRelation", user + "definition doc {\n  relation viewer: user\n  relation «viewer: user\n}",
                        "`viewer` is already defined in `doc` on line 3"),
                bad("relationAndPermissionSameName", user + "definition doc {\n  relation view: user\n"
                        + "  permission «view = view\n}", "relations and permissions of a definition share one namespace"),
                bad("duplicateAllowedType", user + "definition doc {\n  relation viewer: user | «user\n}",
                        "`user` is listed twice in relation `viewer`"),
                // ---- references ----
                bad("unknownSubjectType", user + "definition doc {\n  relation viewer: «usr\n}",
                        "there is no definition `usr` (did you mean `user`?)"),
                bad("unknownSubjectRelation", user + "definition team {\n  relation member: user\n}\n"
                        + "definition doc {\n  relation viewer: team#«membr\n}",
                        "`team` has no relation or permission `membr` (did you mean `member`?)"),
                bad("unknownCaveat", user + "definition doc {\n  relation viewer: user with «ip_ok\n}",
                        "there is no caveat `ip_ok`"),
                bad("unknownRelationInPermission", user + "definition doc {\n  relation viewer: user\n"
                        + "  permission view = «viewr\n}", "`viewr` is not a relation or permission of `doc` (did you mean `viewer`?)"),
                bad("unknownArrowLeftSide", user + "definition doc {\n  relation viewer: user\n"
                        + "  permission view = «parent->view\n}", "`parent` is not a relation of `doc`"),
                bad("arrowLeftSideIsPermission", user + "definition doc {\n  relation parent: doc\n"
                        + "  permission upward = parent\n  permission view = «upward->view\n}",
                        "the left side of an arrow must be a relation, and `upward` is a permission"),
                bad("arrowLeftSideAllowsWildcard", user + "definition team {\n  relation member: user\n}\n"
                        + "definition doc {\n  relation team: team | team:*\n  permission view = «team->member\n}",
                        "relation `team` allows the wildcard `team:*`, so it cannot be the left side of an arrow"),
                bad("wildcardThroughSubjectRelation", user + "definition team {\n  relation member: user | user:*\n}\n"
                        + "definition doc {\n  relation viewer: «team#member\n}",
                        "`team#member` includes the wildcard `user:*`"),
                bad("wildcardThroughTwoSubjectRelations", user + "definition org {\n  relation member: user:*\n}\n"
                        + "definition team {\n  relation member: «org#member\n}\n"
                        + "definition doc {\n  relation viewer: team#member\n}",
                        "`org#member` includes the wildcard `user:*`"),
                bad("selfWithoutUseSelf", user + "definition doc {\n  permission view = «self\n}",
                        "`self` needs `use self`"),
                // ---- cycles ----
                bad("permissionIsItself", user + "definition doc {\n  permission «view = view\n}",
                        "permissions `view` only refer to each other (`view = view`)"),
                bad("twoPermissionsOnlyReferToEachOther", user + "definition doc {\n  permission «aaa = bbb\n"
                        + "  permission bbb = aaa\n}", "permissions `aaa`, `bbb` only refer to each other"),
                bad("aliasIntoCycle", user + "definition doc {\n  permission «ccc = aaa\n  permission aaa = bbb\n"
                        + "  permission bbb = aaa\n}", "permissions `ccc`, `aaa`, `bbb` only refer to each other"),
                // ---- directives ----
                bad("unknownUseFlag", "use «expirations\n" + user, "unknown use flag `expirations` (did you mean `expiration`?)"),
                bad("useAfterDefinition", user + "«use expiration\n", "`use expiration` must come before every definition"),
                bad("useBetweenDefinitions", user + "«use self\ndefinition doc {}\n", "`use self` must come before"),
                bad("importStatement", "«import \"other.zed\"\n" + user, "imports are not supported by Relata"),
                bad("expirationWithoutUse", user + "definition doc {\n  relation viewer: user with «expiration\n}",
                        "`with expiration` needs `use expiration`"),
                // ---- caveats ----
                bad("caveatWithoutParameters", "caveat «always() {\n  true\n}", "caveat `always` has no parameters"),
                bad("caveatParameterTwice", "caveat adult(age int, «age int) {\n  age > 1\n}",
                        "caveat `adult` declares parameter `age` twice"),
                bad("caveatUnknownType", "caveat cheap(price «float) {\n  price < 1.0\n}", "unknown type `float`"),
                bad("caveatListWithoutArgument", "caveat member(roles «list) {\n  size(roles) > 0\n}",
                        "type `list` takes 1 type argument (`list<T>`), found 0"),
                bad("caveatListWithTwoArguments", "caveat member(roles «list<string, int>) {\n  size(roles) > 0\n}",
                        "type `list` takes 1 type argument (`list<T>`), found 2"),
                bad("caveatNotBool", "caveat echo(name string) {\n  «name\n}", "must result in a bool"),
                bad("caveatUnusedParameter", "caveat adult(age int, «country string) {\n  age >= 18\n}",
                        "parameter `country` of caveat `adult` is never used"),
                bad("caveatTypeMismatch", "caveat admin(role string) {\n  role «> 1\n}",
                        "found no matching overload for '_>_' applied to '(string, int)'"),
                bad("caveatTypeMismatchOnSecondLine", "caveat window(age int, name string) {\n  age > 1 &&\n"
                        + "    name «< 3\n}", "no matching overload"),
                bad("caveatUndeclaredVariable", "caveat range(low int) {\n  low <= «value\n}",
                        "undeclared reference to 'value'"),
                bad("caveatUnterminatedString", "caveat named(name string) {\n  name == «\"abc\n}",
                        "caveat `named`: "),
                bad("caveatUintLiteral", "caveat limit(count uint) {\n  count «< 10u\n}", "'(int, uint)'"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void isRefusedWithPositionAndMessage(Case c) {
        int mark = c.schema().indexOf(MARK);
        assertThat(mark).as("the case marks where its error is").isNotNegative();
        String before = c.schema().substring(0, mark);
        int line = (int) before.chars().filter(ch -> ch == '\n').count() + 1;
        int column = mark - (before.lastIndexOf('\n') + 1) + 1;
        String schema = c.schema().replace(MARK, "");

        Compilation compilation = SchemaCompiler.compile(schema);

        assertThat(compilation.ok()).as("refused: %s", schema).isFalse();
        assertThat(compilation.schema()).isEmpty();
        Diagnostic first = compilation.errors().get(0);
        assertThat(first.message()).as(compilation.report("schema.zed")).contains(c.message());
        assertThat(first.line() + ":" + first.column()).as(compilation.report("schema.zed"))
                .isEqualTo(line + ":" + column);
        assertThat(first.sourceLine()).isEqualTo(schema.split("\n", -1)[line - 1]);
    }

    @Test
    void everyErrorOfAFileIsReported_notOnlyTheFirst() {
        String schema = """
                definition user {}

                definition document {
                    relation viewer: usr
                    relation editor: user with missing_caveat
                    permission view = viewer + editr
                    permission edit = edit
                }
                """;

        Compilation compilation = SchemaCompiler.compile(schema);

        assertThat(compilation.errors())
                .extracting(d -> d.line() + ":" + d.column())
                .containsExactly("4:22", "5:32", "6:32", "7:16");
    }

    @Test
    void brokenSchema_isPrintedAsFileLineColumnMessage() {
        String schema = "definition user {}\n\ndefinition document {\n  relation viewer: usr\n}\n";

        String report = SchemaCompiler.compile(schema).report("acme/authz.zed");

        assertThat(report).isEqualTo("""
                acme/authz.zed:4:20: relation `viewer` allows `usr`, but there is no definition `usr` (did you mean `user`?)
                    relation viewer: usr
                                     ^^^""");
    }

    @Test
    void warnings_doNotStopCompilation_andCarryPositions() {
        String schema = """
                definition user {}
                definition folder {
                    relation viewer: user
                }
                definition document {
                    relation parent: folder
                    permission view = parent.all(editor)
                }
                """;

        Compilation compilation = SchemaCompiler.compile(schema);

        assertThat(compilation.ok()).isTrue();
        assertThat(compilation.warnings()).hasSize(1);
        Diagnostic warning = compilation.warnings().get(0);
        assertThat(warning.severity()).isEqualTo(Diagnostic.Severity.WARNING);
        assertThat(warning.line() + ":" + warning.column()).isEqualTo("7:34");
        assertThat(warning.message()).contains("`editor` is not a relation or permission of any subject type of `parent`");
        assertThat(compilation.report("s.zed")).startsWith("s.zed:7:34: warning: ");
    }

    @Test
    void caseTable_hasAtLeastFortyCases() {
        List<Arguments> all = cases().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(40);
    }
}
