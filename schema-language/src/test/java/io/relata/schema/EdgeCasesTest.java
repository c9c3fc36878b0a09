package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Inputs that once broke the compiler or the formatter. */
class EdgeCasesTest {

    private static void assertRoundTrips(String schema) {
        String formatted = SchemaFormatter.format(schema);
        assertThat(SchemaCompiler.parse(formatted).file()).as(formatted).isEqualTo(SchemaCompiler.parse(schema).file());
        assertThat(SchemaFormatter.format(formatted)).isEqualTo(formatted);
    }

    @Test
    void emptyBlockComment_doesNotSwallowWhatFollows() {
        Compilation c = SchemaCompiler.compile("""
                definition user {}
                /**/
                definition team {
                    relation member: user
                }
                /** docs */
                definition doc {
                    relation viewer: user
                }
                """);

        assertThat(c.orThrow().definitions()).containsOnlyKeys("user", "team", "doc");
        assertThat(c.orThrow().definition("doc").orElseThrow().doc()).isEqualTo("docs");
    }

    @Test
    void aUnionOfThousandsOfTerms_compilesAndFormats() {
        String terms = IntStream.range(0, 3000).mapToObj(i -> "viewer").collect(Collectors.joining(" + "));
        String schema = "definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = " + terms + "\n}\n";

        Compilation c = SchemaCompiler.compile(schema);

        assertThat(c.errors()).isEmpty();
        assertThat(((Rewrite.Union) c.orThrow().definition("doc").orElseThrow().permission("view").orElseThrow()
                .rewrite()).children()).hasSize(3000);
        assertThat(SchemaFormatter.format(schema)).contains("viewer + viewer");
    }

    @Test
    void absurdNesting_isAnErrorNotACrash() {
        String schema = "definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = "
                + "(".repeat(20_000) + "viewer" + ")".repeat(20_000) + "\n}\n";

        Compilation c = SchemaCompiler.compile(schema);

        assertThat(c.ok()).isFalse();
        assertThat(c.errors().get(0).message()).contains("too deeply");
    }

    @Test
    void manySyntaxErrors_areCappedAndQuick() {
        String schema = "definition user {}\ndefinition doc {\n"
                + IntStream.range(0, 5000).mapToObj(i -> "  relation rel" + i + ": user |\n").collect(Collectors.joining())
                + "}\n";

        Compilation c = SchemaCompiler.compile(schema);

        assertThat(c.errors()).hasSizeBetween(1, 100);
    }

    @Test
    void bareCarriageReturns_endLines() {
        Compilation c = SchemaCompiler.compile("definition user {}\r\rdefinition doc {\r  relation viewer: usr\r}\r");

        assertThat(c.errors()).singleElement().satisfies(d -> {
            assertThat(d.line() + ":" + d.column()).isEqualTo("4:20");
            assertThat(d.sourceLine()).isEqualTo("  relation viewer: usr");
        });
        assertRoundTrips("definition user {}\rdefinition doc {\r  // lead\r  relation viewer: user // t\r}\r");
    }

    @Test
    void celLineComments_mayHoldBracesAndQuotes() {
        Compilation c = SchemaCompiler.compile("""
                caveat only_one(count int) {
                    // closing } brace and it's quote {
                    count == 1
                }
                definition user {}
                """);

        assertThat(c.errors()).isEmpty();
        assertThat(c.orThrow().definitions()).containsKey("user");
    }

    @Test
    void multiLineCelStrings_keepTheirSpaces() {
        String schema = "caveat banner(text string) {\n    text == '''x\n    y   \n  '''\n}\n";

        Compilation c = SchemaCompiler.compile(schema);

        assertThat(c.orThrow().caveat("banner").orElseThrow().expression()).isEqualTo("text == '''x\n    y   \n  '''");
        assertRoundTrips(schema);
    }

    @Test
    void blockComments_keepTheirRelativeIndentation() {
        String schema = """
                definition user {}
                definition doc {
                    /*
                      relation old: user
                        permission older = old
                    */
                    relation viewer: user
                }
                """;

        String formatted = SchemaFormatter.format(schema);

        assertThat(formatted).contains("\t  relation old: user\n\t    permission older = old\n\t*/");
        assertRoundTrips(schema);
    }

    @Test
    void selfWithoutUseSelf_isAName_soItsAliasCycleIsFound() {
        Compilation c = SchemaCompiler.compile("""
                definition user {}
                definition doc {
                    permission self = aaa
                    permission aaa = self
                }
                """);

        assertThat(c.errors()).singleElement().satisfies(d -> assertThat(d.message()).contains("only refer to each other"));
    }

    @Test
    void keywordsOfUseFlags_cannotNameCaveatParameters() {
        Compilation c = SchemaCompiler.compile("use expiration\ncaveat ccc(and int) {\n  and > 1\n}\n");

        assertThat(c.errors()).first().satisfies(d -> assertThat(d.message()).contains("keyword under `use expiration`"));
    }

    @Test
    void comprehensionVariableNamedLikeAParameter_countsAsUse_asInSpiceDb() {
        Compilation c = SchemaCompiler.compile("caveat all_positive(xs list<int>, y int) {\n  xs.all(y, y > 0)\n}\n");

        assertThat(c.errors()).isEmpty();
    }

    @Test
    void prefixSegmentsAreAtMost63Characters() {
        String segment = "a".repeat(64);

        assertThat(SchemaCompiler.compile("definition " + segment + "/user {}").ok()).isFalse();
        assertThat(SchemaCompiler.compile("definition " + segment.substring(1) + "/user {}").ok()).isTrue();
    }

    @Test
    void onlySpacesAndTabsAreWhitespace() {
        assertThat(SchemaCompiler.compile("definition\u00a0user {}").ok()).isFalse();
        assertThat(SchemaCompiler.compile("\ufeffdefinition\tuser {}").ok()).isTrue();
    }

    @Test
    void diagnostics_differByPosition() {
        Compilation c = SchemaCompiler.compile("definition doc {\n  relation aaa: nope\n}\ndefinition dac {\n  relation aaa: nope\n}\n");

        assertThat(c.errors()).hasSize(2);
        assertThat(c.errors().get(0)).isNotEqualTo(c.errors().get(1));
        assertThat(new java.util.HashSet<>(c.errors())).hasSize(2);
    }

    @Test
    void blankCaveatBody_pointsAtItsBrace() {
        Compilation c = SchemaCompiler.compile("caveat empty(a int) {   \n\n}\n");

        assertThat(c.errors()).singleElement().satisfies(d -> assertThat(d.line() + ":" + d.column()).isEqualTo("1:21"));
    }
}
