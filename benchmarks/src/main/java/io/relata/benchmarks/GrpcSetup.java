package io.relata.benchmarks;

import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.RelationshipUpdate;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.WriteRelationshipsRequest;
import com.authzed.api.v1.WriteSchemaRequest;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.relata.store.Relationship;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Loads the deep-chain data set ({@link DeepChainBenchmark#generate}) into a running server
 * over gRPC (SchemaService.WriteSchema, then PermissionsService.WriteRelationships with 1,000
 * TOUCHes each) and writes the check files the gRPC and HTTP load generators read, into
 * {@code --dir}: {@code prime.txt} (every project once, for a user who belongs to nothing: a
 * walk over every group, which fills the server's relationship cache before anything is
 * measured), {@code cached.txt} (one HAS check through all 10 levels), and for each
 * transport ({@code http}, {@code grpc}) a pool of distinct NO checks ({@code no-*.txt}:
 * random users, who are almost never members), of distinct HAS checks ({@code has-*.txt}:
 * members of the chain) and a warm-up pool ({@code warm-*.txt}); no check is in two files, so
 * one transport's run does not fill the sub-result cache for the other.
 *
 * <pre>
 * java -cp ... io.relata.benchmarks.GrpcSetup --target 127.0.0.1:50051 --key K --groups 200 --pool 50000 --dir D
 * </pre>
 */
public final class GrpcSetup {

    private static final int USERS = 20_000;
    private static final int PER_WRITE = 1_000;

    private GrpcSetup() {}

    public static void main(String[] args) throws Exception {
        String target = "127.0.0.1:50051";
        String key = "bench";
        int groups = 200;
        int pool = 50_000;
        Path dir = Path.of("benchmarks/target/grpc");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = args[++i];
                case "--key" -> key = args[++i];
                case "--groups" -> groups = Integer.parseInt(args[++i]);
                case "--pool" -> pool = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --target host:port --key K --groups N --pool N --dir DIR");
            }
        }
        List<String> members = new ArrayList<>();
        List<String> projects = new ArrayList<>();
        List<Relationship> rows = DeepChainBenchmark.generate(groups, members, projects);
        List<ManagedChannel> channels = GrpcClients.channels(target, 1);
        try {
            BearerToken token = new BearerToken(key);
            SchemaServiceGrpc.newBlockingStub(channels.get(0)).withCallCredentials(token)
                    .writeSchema(WriteSchemaRequest.newBuilder().setSchema(DeepChainBenchmark.SCHEMA).build());
            PermissionsServiceGrpc.PermissionsServiceBlockingStub permissions =
                    PermissionsServiceGrpc.newBlockingStub(channels.get(0)).withCallCredentials(token);
            long start = System.nanoTime();
            for (int from = 0; from < rows.size(); from += PER_WRITE) {
                WriteRelationshipsRequest.Builder write = WriteRelationshipsRequest.newBuilder();
                for (Relationship r : rows.subList(from, Math.min(rows.size(), from + PER_WRITE))) {
                    write.addUpdates(RelationshipUpdate.newBuilder()
                            .setOperation(RelationshipUpdate.Operation.OPERATION_TOUCH).setRelationship(proto(r)));
                }
                permissions.writeRelationships(write.build());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("DATA|%d|%d|%.1f%n", groups, rows.size(), seconds);
        } finally {
            GrpcClients.close(channels);
        }
        writeChecks(dir, members, projects, pool);
    }

    static com.authzed.api.v1.Relationship proto(Relationship r) {
        SubjectReference.Builder subject = SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                .setObjectType(r.subject().type()).setObjectId(r.subject().id()));
        if (r.subject().relation() != null) {
            subject.setOptionalRelation(r.subject().relation());
        }
        return com.authzed.api.v1.Relationship.newBuilder().setResource(ObjectReference.newBuilder()
                .setObjectType(r.resource().type()).setObjectId(r.resource().id())).setRelation(r.relation())
                .setSubject(subject).build();
    }

    private static void writeChecks(Path dir, List<String> members, List<String> projects, int pool)
            throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(7);
        // Members are "tree:user"; a member of any group of tree t may read the projects p<t>_0..4.
        List<String> has = new ArrayList<>();
        for (String m : new LinkedHashSet<>(members)) {
            int colon = m.indexOf(':');
            for (int p = 0; p < 5; p++) {
                has.add("project:p" + m.substring(0, colon) + "_" + p + " read user:" + m.substring(colon + 1));
            }
        }
        Collections.shuffle(has, random);
        int hasEach = Math.min(pool, has.size() / 2);
        Files.write(dir.resolve("cached.txt"), List.of(has.get(0)));
        List<String> prime = new ArrayList<>();
        for (String project : projects) {
            prime.add("project:" + project + " read user:prime");
        }
        Files.write(dir.resolve("prime.txt"), prime);
        Files.write(dir.resolve("has-http.txt"), has.subList(1, 1 + hasEach));
        Files.write(dir.resolve("has-grpc.txt"), has.subList(1 + hasEach, Math.min(has.size(), 1 + 2 * hasEach)));
        int warm = Math.max(100, pool / 10);
        Set<String> no = new LinkedHashSet<>();
        long possible = (long) projects.size() * USERS;
        int wanted = (int) Math.min(2L * pool + 2L * warm, possible / 2);
        while (no.size() < wanted) {
            no.add("project:" + projects.get(random.nextInt(projects.size())) + " read user:u" + random.nextInt(USERS));
        }
        List<String> noList = new ArrayList<>(no);
        int noEach = (wanted - 2 * warm) / 2;
        Files.write(dir.resolve("no-http.txt"), noList.subList(0, noEach));
        Files.write(dir.resolve("no-grpc.txt"), noList.subList(noEach, 2 * noEach));
        Files.write(dir.resolve("warm-http.txt"), noList.subList(2 * noEach, 2 * noEach + warm));
        Files.write(dir.resolve("warm-grpc.txt"), noList.subList(2 * noEach + warm, 2 * noEach + 2 * warm));
        System.out.printf("CHECKS|%d|%d|%d%n", hasEach, noEach, warm);
    }
}
