package io.relata.engine;

import io.relata.schema.Composite;
import io.relata.schema.Schema;
import io.relata.store.ObjectRef;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Checks and lookups for a chain of principals (Relata's extension): a job token and the user
 * who triggered the job, a token and its owner, an agent and the human it acts for. The
 * schema's {@code composite} for the chain's types says which permission each link must hold
 * for the permission asked; every link is checked at the one revision given.
 *
 * <p>The answer is HAS only if every link is HAS; CONDITIONAL if none is NO and some are
 * CONDITIONAL, with every link's missing caveat parameters merged; NO otherwise. Links are
 * asked in chain order and the first NO ends the check (later links are not asked).
 */
public final class CompositeChecks {

    /** Most composites or permissions an error message lists. */
    private static final int LISTED = 10;

    /**
     * "May this chain do {@code permission} on {@code resource}?"
     *
     * @param principals the chain, first link first, as the schema's composite lists its types
     */
    public record Request(ObjectRef resource, String permission, List<SubjectRef> principals,
            Map<String, Object> context) {

        public Request {
            java.util.Objects.requireNonNull(resource, "resource");
            java.util.Objects.requireNonNull(permission, "permission");
            principals = List.copyOf(principals);
            context = context == null ? Map.of() : context;
        }
    }

    /**
     * One check of a composite answer: a link's permission on the resource, or a binding (the
     * principal is the relation {@code permission} of the link before it, {@code resource}).
     *
     * @param result the answer, or null when an earlier NO ended the check first
     */
    public record Link(SubjectRef principal, ObjectRef resource, String permission, CheckResult result) {}

    /** A composite check's answer: the composite matched, the merged result, and each link's part. */
    public record Answer(String composite, CheckResult result, List<Link> links) {}

    /** One item of a bulk composite check: its answer, or the error it got. */
    public record BulkAnswer(Request request, Answer answer, EngineException error) {}

    private final CheckEngine engine;
    private final Duration deadline;

    /** @param deadline how long a lookup's per-candidate checks may take in all, beside the walk's own deadline */
    public CompositeChecks(CheckEngine engine, Duration deadline) {
        this.engine = engine;
        this.deadline = deadline;
    }

    /**
     * The checks a composite answer needs, in the order they are asked: first each binding
     * ({@code where a#r}: principal i must be relation r of principal i-1, checked on principal
     * i-1), then each link's permission on the resource, in chain order.
     *
     * @throws EngineException INVALID_ARGUMENT when the chain has fewer than two principals,
     *                         when no composite has the chain's types, or when the composite has
     *                         no rule for the resource's type and the permission (each message
     *                         names what the schema does declare)
     */
    public static List<CheckRequest> links(Schema schema, Request request) {
        return plan(schema, request.resource(), request.permission(), request.principals()).stream()
                .map(l -> new CheckRequest(l.resource(), l.permission(), l.principal(), request.context())).toList();
    }

    /** The checks of {@link #links(Schema, Request)}, unanswered; the permission links' resource is {@code resource}. */
    private static List<Link> plan(Schema schema, ObjectRef resource, String permission, List<SubjectRef> principals) {
        Composite composite = composite(schema, principals);
        String resourceType = resource.type();
        List<String> required = composite.links(resourceType, permission).orElseThrow(() -> invalid(
                "composite `" + composite.name() + "` (" + composite.chainText() + ") has no rule for `" + resourceType
                        + "#" + permission + "`; " + (composite.permissions(resourceType).isEmpty()
                                ? "it has none for `" + resourceType + "`"
                                : "on `" + resourceType + "` it may be asked for " + listed(composite.permissions(
                                        resourceType)))));
        List<Link> links = new ArrayList<>();
        for (int i = 1; i < principals.size(); i++) {
            int link = i;
            composite.binding(i).ifPresent(relation -> {
                SubjectRef before = principals.get(link - 1);
                links.add(new Link(principals.get(link), new ObjectRef(before.type(), before.id()), relation, null));
            });
        }
        for (int i = 0; i < principals.size(); i++) {
            links.add(new Link(principals.get(i), resource, required.get(i), null));
        }
        return links;
    }

    /** The composite whose chain is the principals' types. */
    public static Composite composite(Schema schema, List<SubjectRef> principals) {
        if (principals.size() < 2) {
            throw invalid("a composite check names at least two principals (the chain, first link first); this one"
                    + " names " + principals.size() + ": ask a plain check for one subject");
        }
        List<String> types = principals.stream().map(SubjectRef::type).toList();
        return schema.compositeFor(types).orElseThrow(() -> invalid("the schema declares no composite with the chain `"
                + String.join(" > ", types) + "`; " + (schema.composites().isEmpty() ? "it declares none"
                        : "its composites are " + listed(schema.composites().values().stream()
                                .map(c -> c.name() + " (" + c.chainText() + ")").toList()))));
    }

    private static String listed(java.util.Collection<String> names) {
        String shown = names.stream().limit(LISTED).map(n -> "`" + n + "`").collect(Collectors.joining(", "));
        return names.size() > LISTED ? shown + " and " + (names.size() - LISTED) + " more" : shown;
    }

    private static EngineException invalid(String message) {
        return new EngineException(EngineException.Reason.INVALID_ARGUMENT, message);
    }

    /** The composite answer for {@code request} at {@code revision}; fails as {@link #links(Schema, Request)} refuses. */
    public CompletableFuture<Answer> check(String tenant, Revision revision, Request request) {
        Schema schema;
        List<CheckRequest> checks;
        try {
            schema = engine.schema(tenant, revision);
            checks = links(schema, request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        String name = composite(schema, request.principals()).name();
        return next(tenant, revision, checks, 0, new ArrayList<>()).thenApply(results -> answer(name, checks, results));
    }

    /**
     * {@link #check}'s answer when every check it needs is at hand without waiting (the schema
     * known, each answer in the sub-result cache, up to the first NO), else null. Never blocks
     * and never asks the store, so a transport may call it on its own threads first.
     */
    public Answer cachedCheck(String tenant, Revision revision, Request request) {
        Schema schema = engine.schemaIfKnown(tenant, revision);
        if (schema == null) {
            return null;
        }
        List<CheckRequest> checks;
        String name;
        try {
            checks = links(schema, request);
            name = composite(schema, request.principals()).name();
        } catch (EngineException refused) {
            return null;
        }
        List<CheckResult> results = new ArrayList<>();
        for (CheckRequest c : checks) {
            CheckResult r = engine.cachedCheck(tenant, revision, c);
            if (r == null) {
                return null;
            }
            results.add(r);
            if (r.permissionship() == Permissionship.NO) {
                break;
            }
        }
        return answer(name, checks, results);
    }

    /**
     * Asks the links from {@code i} on: those whose answers are cached at once, the rest in one
     * task of the engine ({@link CheckEngine#checkUntilNo}), stopping after the first NO.
     */
    private CompletableFuture<List<CheckResult>> next(String tenant, Revision revision, List<CheckRequest> checks, int i,
            List<CheckResult> results) {
        while (i < checks.size()) {
            CheckResult cached = engine.cachedCheck(tenant, revision, checks.get(i));
            if (cached == null) {
                break;
            }
            results.add(cached);
            if (cached.permissionship() == Permissionship.NO) {
                return CompletableFuture.completedFuture(results);
            }
            i++;
        }
        if (i == checks.size()) {
            return CompletableFuture.completedFuture(results);
        }
        return engine.checkUntilNo(tenant, revision, checks.subList(i, checks.size())).thenApply(rest -> {
            results.addAll(rest);
            return results;
        });
    }

    /**
     * Many composite checks at one revision, in request order. Each round asks the next link
     * of every item not yet refused, in one bulk check, so items share work as in
     * {@link CheckEngine#checkBulk}. An item the schema refuses gets its error; the others are answered.
     */
    public CompletableFuture<List<BulkAnswer>> checkBulk(String tenant, Revision revision, List<Request> requests) {
        Schema schema;
        try {
            schema = engine.schema(tenant, revision);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<List<CheckRequest>> checks = new ArrayList<>();
        List<EngineException> errors = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Request r : requests) {
            try {
                checks.add(links(schema, r));
                names.add(composite(schema, r.principals()).name());
                errors.add(null);
            } catch (EngineException e) {
                checks.add(null);
                names.add(null);
                errors.add(e);
            }
        }
        List<List<CheckResult>> results = new ArrayList<>();
        requests.forEach(r -> results.add(new ArrayList<>()));
        return round(tenant, revision, checks, errors, results, 0).thenApply(done -> {
            List<BulkAnswer> answers = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                answers.add(errors.get(i) != null ? new BulkAnswer(requests.get(i), null, errors.get(i))
                        : new BulkAnswer(requests.get(i), answer(names.get(i), checks.get(i), results.get(i)), null));
            }
            return answers;
        });
    }

    private CompletableFuture<Void> round(String tenant, Revision revision, List<List<CheckRequest>> checks,
            List<EngineException> errors, List<List<CheckResult>> results, int link) {
        List<Integer> items = new ArrayList<>();
        List<CheckRequest> asked = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            List<CheckRequest> item = checks.get(i);
            List<CheckResult> so = results.get(i);
            boolean refused = !so.isEmpty() && so.get(so.size() - 1).permissionship() == Permissionship.NO;
            if (errors.get(i) == null && link < item.size() && !refused) {
                items.add(i);
                asked.add(item.get(link));
            }
        }
        if (asked.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return engine.checkBulk(tenant, revision, asked).thenCompose(answers -> {
            for (int j = 0; j < answers.size(); j++) {
                int item = items.get(j);
                BulkCheckResult r = answers.get(j);
                if (r.error() != null) {
                    errors.set(item, r.error());
                } else {
                    results.get(item).add(r.result());
                }
            }
            return round(tenant, revision, checks, errors, results, link + 1);
        });
    }

    /** The merged answer of the links asked so far (a NO among them ends the chain). */
    private static Answer answer(String composite, List<CheckRequest> checks, List<CheckResult> results) {
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            CheckRequest c = checks.get(i);
            links.add(new Link(c.subject(), c.resource(), c.permission(), i < results.size() ? results.get(i) : null));
        }
        return new Answer(composite, merge(results), links);
    }

    /** HAS if all are HAS; NO if any is NO; else CONDITIONAL with every missing parameter, sorted. */
    static CheckResult merge(List<CheckResult> results) {
        TreeSet<String> missing = new TreeSet<>();
        boolean conditional = false;
        for (CheckResult r : results) {
            if (r.permissionship() == Permissionship.NO) {
                return CheckResult.NO;
            }
            if (r.permissionship() == Permissionship.CONDITIONAL) {
                conditional = true;
                missing.addAll(r.missingContext());
            }
        }
        return conditional ? new CheckResult(Permissionship.CONDITIONAL, List.copyOf(missing)) : CheckResult.HAS;
    }

    /**
     * The resources of {@code resourceType} on which every principal holds its link's
     * permission (HAS or CONDITIONAL), streamed on the calling thread. The walk is the first
     * principal's lookup ({@link CheckEngine#streamResources}, so declare the narrowest principal
     * first: a token before its owner); each resource it finds is checked for the other links
     * at the same revision and sent only if none is NO, with the merged permissionship. The
     * cursor given with a result is the walk's, so resuming skips every candidate up to it;
     * {@code limit} (0 for none) counts results sent, not candidates.
     *
     * @throws EngineException INVALID_ARGUMENT as {@link #links(Schema, Request)} refuses, or for
     *                         a cursor this lookup did not give; DEADLINE_EXCEEDED when the walk or
     *                         the candidates' checks (each counted apart) take longer than the deadline
     */
    public void streamResources(String tenant, Revision revision, String resourceType, String permission,
            List<SubjectRef> principals, Map<String, Object> context, String cursor, int limit,
            CheckEngine.LookupSink<LookupResult> sink) {
        List<Link> plan = plan(engine.schema(tenant, revision), new ObjectRef(resourceType, "-"), permission, principals);
        // The bindings do not depend on the resource: asked once, before the walk.
        List<CheckResult> bound = new ArrayList<>();
        List<Link> links = new ArrayList<>();
        long started = System.nanoTime();
        int bindings = plan.size() - principals.size();
        for (int i = 0; i < plan.size(); i++) {
            Link link = plan.get(i);
            if (i < bindings) {
                CheckResult r = await(engine.check(tenant, revision, new CheckRequest(link.resource(), link.permission(),
                        link.principal(), context)), deadline.toNanos());
                if (r.permissionship() == Permissionship.NO) {
                    return;
                }
                bound.add(r);
            } else {
                links.add(link);
            }
        }
        Link first = links.get(0);
        long budget = deadline.toNanos();
        long[] spent = {System.nanoTime() - started};
        int[] sent = {0};
        engine.streamResources(tenant, revision, resourceType, first.permission(), first.principal(), context, cursor, 0,
                (candidate, place) -> {
                    long start = System.nanoTime();
                    List<CheckResult> results = new ArrayList<>(bound);
                    results.add(new CheckResult(candidate.permissionship(), candidate.missingContext()));
                    ObjectRef resource = new ObjectRef(resourceType, candidate.id());
                    for (Link link : links.subList(1, links.size())) {
                        CheckResult r = await(engine.check(tenant, revision, new CheckRequest(resource,
                                link.permission(), link.principal(), context)), budget - spent[0]);
                        results.add(r);
                        if (r.permissionship() == Permissionship.NO) {
                            break;
                        }
                    }
                    spent[0] += System.nanoTime() - start;
                    CheckResult merged = merge(results);
                    if (merged.permissionship() == Permissionship.NO) {
                        return true;
                    }
                    boolean more = sink.accept(new LookupResult(candidate.id(), merged.permissionship(),
                            merged.missingContext()), place);
                    return more && (limit == 0 || ++sent[0] < limit);
                });
    }

    private static <T> T await(CompletableFuture<T> future, long nanos) {
        try {
            return future.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED,
                    "the composite lookup's checks did not finish within its deadline");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "the composite lookup was cancelled");
        }
    }
}
