package io.relata.server;

import io.relata.cli.ApiClient;
import io.relata.cli.ClientException;
import io.relata.cli.ExitCodes;
import io.relata.store.Relationship;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code relata import FILE} without {@code --datastore-url}: the file's relationships sent to
 * the current context's server as one {@code /v1/relationships/importbulk} stream (a request
 * message per batch of the file), so the server imports them in one transaction, all or
 * nothing. The file is read as it is sent (a few batches ahead at most); a line that cannot
 * be read aborts the upload, which the server then does not commit. The server's errors name
 * the file and line, not the request message.
 */
final class ServerImport {

    private static final Pattern WHERE = Pattern.compile("request (\\d+), relationships\\[(\\d+)]");
    private static final byte[] END = new byte[0];

    private ServerImport() {}

    /**
     * Imports {@code file} through {@code api}, first writing its schema when {@code withSchema}.
     *
     * @return how many relationships the server imported
     * @throws ClientException when the file cannot be read or the server refuses
     */
    static long run(ApiClient api, Path file, boolean withSchema) throws IOException {
        try (FileImportSource source = FileImportSource.open(file)) {
            if (withSchema) {
                if (source.validationFile() == null) {
                    throw new ClientException(ExitCodes.USAGE, "--with-schema needs a validation file (.yaml) with a"
                            + " schema");
                }
                api.call("v1/schema/write", new JsonObject().put("schema", source.validationFile().schema()));
            }
            Upload upload = new Upload(source);
            Thread reader = new Thread(upload::produce, "relata-import-reader");
            reader.setDaemon(true);
            reader.start();
            JsonObject answer;
            try {
                answer = api.upload("v1/relationships/importbulk", () -> upload);
            } catch (ClientException e) {
                if (upload.failure != null) {
                    throw new ClientException(ExitCodes.REFUSED, "nothing was imported: "
                            + Errors.of(upload.failure).message());
                }
                throw new ClientException(e.exitCode(), "nothing was imported: " + upload.located(e.getMessage()));
            } finally {
                upload.stop();
            }
            return Long.parseLong(String.valueOf(answer.getValue("numLoaded", "0")));
        }
    }

    /** The request body: one {@code {"relationships": [...]}} line per batch, read on its own thread. */
    private static final class Upload extends InputStream {

        private final FileImportSource source;
        private final BlockingQueue<byte[]> lines = new ArrayBlockingQueue<>(4);
        private final List<IntFunction<String>> origins = new ArrayList<>();
        private volatile RuntimeException failure;
        private volatile boolean stopped;
        private byte[] current = new byte[0];
        private int position;

        Upload(FileImportSource source) {
            this.source = source;
        }

        void produce() {
            try {
                ImportSource.Batch batch;
                while (!stopped && (batch = source.next()) != null) {
                    JsonArray relationships = new JsonArray();
                    for (Relationship r : batch.relationships()) {
                        relationships.add(Json.relationship(r));
                    }
                    synchronized (origins) {
                        origins.add(batch.where());
                    }
                    put((new JsonObject().put("relationships", relationships).encode() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            put(END);
        }

        private void put(byte[] line) {
            try {
                while (!stopped && !lines.offer(line, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    // the upload is slower than the file; wait for it
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() {
            stopped = true;
        }

        /** The server's message with {@code request N, relationships[I]} replaced by the file's line. */
        String located(String message) {
            Matcher m = WHERE.matcher(message);
            if (!m.find()) {
                return message;
            }
            int request = Integer.parseInt(m.group(1));
            synchronized (origins) {
                if (request < 1 || request > origins.size()) {
                    return message;
                }
                return message.substring(0, m.start()) + origins.get(request - 1).apply(Integer.parseInt(m.group(2)))
                        + message.substring(m.end());
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            while (position == current.length) {
                if (current == END) {
                    return -1;
                }
                try {
                    current = lines.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                position = 0;
                if (current == END && failure != null) {
                    // Fail the request rather than end it: an ended body would be imported.
                    throw new IOException("the file could not be read: " + failure.getMessage());
                }
            }
            int n = Math.min(length, current.length - position);
            System.arraycopy(current, position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
