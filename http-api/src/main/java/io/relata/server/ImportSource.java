package io.relata.server;

import io.relata.store.Relationship;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Where a bulk import's relationships come from, a batch at a time: one request message of a
 * gRPC or HTTP client stream, or some lines of a file. Read on one thread (the import's
 * decoder, {@link ImportPipeline}), ahead of the thread that writes them.
 */
interface ImportSource {

    /**
     * The next batch, or null at the end.
     *
     * @throws ApiException naming the message or line that could not be read
     */
    Batch next();

    /**
     * Relationships and where each came from.
     *
     * @param where  names the origin of the i-th relationship, such as {@code request 3, relationships[7]}
     *               or {@code line 12}, for errors
     */
    record Batch(List<Relationship> relationships, IntFunction<String> where) {}

    /** An {@link ApiException} from {@code e}, its status kept, its message prefixed by {@code what}. */
    static ApiException refused(String what, RuntimeException e) {
        Errors.Status status = Errors.of(e);
        return new ApiException(status.code(), what + ": " + status.message());
    }
}
