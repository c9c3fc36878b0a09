package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A field is found under its camelCase name or its snake_case one, as protobuf's JSON mapping allows. */
class JsonFieldNamesTest {

    @Test
    void snakeCaseSpellings_areFound_andSpelledAsTheRegexWould() {
        for (String name : List.of("optionalCaveat", "optionalExpiresAt", "optionalRelation", "objectType", "objectId",
                "relation", "caveatName", "resourceObjectType", "optionalResourceIdPrefix", "atLeastAsFresh")) {
            assertThat(Json.snake(name)).isEqualTo(name.replaceAll("([A-Z])", "_$1").toLowerCase());
        }
        JsonObject relationship = new JsonObject("""
                {"resource": {"object_type": "doc", "object_id": "d1"}, "relation": "viewer",
                 "subject": {"object": {"object_type": "user", "object_id": "u1"}, "optional_relation": "member"},
                 "optional_caveat": {"caveat_name": "cav"}}""");
        assertThat(Json.relationship(relationship).toString()).isEqualTo("doc:d1#viewer@user:u1#member[cav]");
    }
}
