package io.relata.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The checks of type names, relation names and ids (written without regular expressions,
 * since a bulk import checks every relationship) accept exactly what SpiceDB's patterns
 * accept, on many random strings near the edges of the rules.
 */
class NamesTest {

    private static final Pattern TYPE = Pattern.compile("([a-z][a-z0-9_]{1,61}[a-z0-9]/)*[a-z][a-z0-9_]{1,62}[a-z0-9]");
    private static final Pattern RELATION = Pattern.compile("[a-z][a-z0-9_]{1,62}[a-z0-9]");
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9/_|\\-=+]+");
    private static final String ALPHABET = "abz09_AZ/|-=+ .#:*é";

    private static boolean accepts(Runnable check) {
        try {
            check.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void acceptExactlyWhatThePatternsAccept() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 200_000; n++) {
            int length = random.nextInt(4) == 0 ? 60 + random.nextInt(10) : 1 + random.nextInt(8);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                s.append(ALPHABET.charAt(random.nextInt(i == 0 || random.nextBoolean() ? ALPHABET.length() : 4)));
            }
            String text = s.toString();
            assertThat(accepts(() -> Names.relation("relation", text))).as(text).isEqualTo(RELATION.matcher(text).matches());
            assertThat(accepts(() -> Names.type("object", text))).as(text)
                    .isEqualTo(TYPE.matcher(text).matches() && text.length() <= 128);
            assertThat(accepts(() -> Names.id("object", text, false))).as(text).isEqualTo(ID.matcher(text).matches());
        }
        String longId = "a".repeat(1025);
        assertThat(accepts(() -> Names.id("object", longId, false))).isFalse();
        assertThat(accepts(() -> Names.id("object", "a".repeat(1024), false))).isTrue();
        assertThat(accepts(() -> Names.type("object", "abc/def"))).isTrue();
        assertThat(accepts(() -> Names.type("object", "ab/def"))).isFalse();
    }
}
