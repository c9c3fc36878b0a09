package io.relata.cli;

import io.relata.server.OfflineExplain;
import io.relata.store.Relationship;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relata explain RESOURCE#PERMISSION@SUBJECT}: why a check answers as it does, from the
 * server's {@code /relata/v1/permissions/explain} (connected as every client command is), or with
 * {@code --file} from a validation file in memory through the same engine code. Prints the chain
 * for people, or the endpoint's JSON with {@code --json}. Exits 0 with an answer, whatever it is;
 * otherwise with the codes of {@link ExitCodes} (a schema or relationship of the file that does not
 * hold counts as refused).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Explain a check: the shortest chain of relationships that grants it, or for NO the closest"
                + " miss. Asks the server of the current context (or --context, --endpoint, --token) or, with --file,"
                + " a validation file offline. Exits 0 with an answer, whatever it is.")
public final class ExplainCommand extends PermissionCommands.Question {

    @Parameters(paramLabel = "QUESTION", description = "resource#permission@subject, e.g. doc:readme#view@user:alice")
    String question;

    @Option(names = "--file", description = "A validation file (YAML) to answer from, in memory, instead of a server.")
    Path file;

    @Override
    int execute() throws Exception {
        Relationship parsed = parsed(); // a question that cannot be read is refused before connecting
        if (file == null) {
            return super.execute();
        }
        Map<String, Object> context = caveatContext == null ? Map.of()
                : RelationshipCommands.context(caveatContext, "--caveat-context").getMap();
        JsonObject answer;
        try {
            answer = OfflineExplain.explain(file, parsed, context);
        } catch (IllegalStateException e) {
            throw new ClientException(ExitCodes.REFUSED, e.getMessage());
        }
        return print(answer);
    }

    @Override
    int run(ApiClient api) {
        Relationship parsed = parsed();
        return print(api.call(PermissionCommands.EXPLAIN, PermissionCommands.question(request(), parsed.resource(),
                parsed.relation(), parsed.subject())));
    }

    private Relationship parsed() {
        try {
            return Relationship.parse(question);
        } catch (RuntimeException e) {
            throw ClientException.usage("cannot read the question `" + question + "` (resource#permission@subject): "
                    + e.getMessage());
        }
    }

    private int print(JsonObject answer) {
        if (json) {
            Output.json(answer);
        } else {
            System.out.print(ExplainText.text(question, answer));
        }
        return ExitCodes.OK;
    }
}
