package io.relata.schema;

import io.relata.schema.ast.CompositeNode;
import io.relata.schema.ast.CompositeRuleNode;
import io.relata.schema.ast.Span;
import io.relata.schema.ast.TopLevel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Checks Relata's {@code composite} blocks and compiles them: names, chain types that exist,
 * one chain declared once, rules whose resource type exists, one permission per link that
 * exists on that type and that the link's type can ever hold. Each error is placed at the
 * name it is about.
 */
final class CompositeValidator {

    private final Map<String, ObjectDefinition> definitions;
    private final BiConsumer<Span, String> error;

    /**
     * @param definitions the schema's definitions as compiled (possibly incomplete when it has other errors)
     * @param error       where each error goes
     */
    CompositeValidator(Map<String, ObjectDefinition> definitions, BiConsumer<Span, String> error) {
        this.definitions = definitions;
        this.error = error;
    }

    /** The composites of {@code items}, by name; a composite with an error is left out. */
    Map<String, Composite> compile(List<TopLevel> items, boolean reachable) {
        Map<String, Composite> compiled = new LinkedHashMap<>();
        Map<String, Span> names = new HashMap<>();
        Map<List<String>, CompositeNode> chains = new HashMap<>();
        Schema reach = reachable ? new Schema(definitions, Map.of(), java.util.Set.of()) : null;
        for (TopLevel item : items) {
            if (!(item instanceof CompositeNode node)) {
                continue;
            }
            boolean ok = true;
            String problem = Names.relationProblem("composite", node.name());
            if (problem != null) {
                error.accept(node.nameSpan(), problem);
                ok = false;
            }
            Span first = names.putIfAbsent(node.name(), node.nameSpan());
            if (first != null) {
                error.accept(node.nameSpan(), "composite `" + node.name() + "` is already declared on line "
                        + first.line());
                ok = false;
            }
            List<String> chain = new ArrayList<>();
            for (CompositeNode.Named type : node.chain()) {
                if (!definitions.containsKey(type.name())) {
                    error.accept(type.span(), "composite `" + node.name() + "` names `" + type.name()
                            + "` in its chain, but there is no definition `" + type.name() + "`"
                            + Names.suggestion(type.name(), definitions.keySet()));
                    ok = false;
                }
                chain.add(type.name());
            }
            CompositeNode same = chains.putIfAbsent(chain, node);
            if (same != null) {
                error.accept(node.nameSpan(), "composite `" + node.name() + "` has the chain `" + String.join(" > ", chain)
                        + "` of `" + same.name() + "` (line " + same.nameSpan().line() + "); a request is matched"
                        + " to its composite by the types of its principals, so each chain is declared once");
                ok = false;
            }
            Map<Integer, String> bindings = new HashMap<>();
            for (CompositeNode.Binding binding : node.bindings()) {
                ok &= binding(node, binding, chain, bindings, reach);
            }
            Map<String, Map<String, List<String>>> rules = new LinkedHashMap<>();
            for (CompositeRuleNode rule : node.rules()) {
                ok &= rule(node, rule, chain, rules, reach);
            }
            if (ok) {
                compiled.put(node.name(), new Composite(node.name(), chain, bindings, rules, node.comments().doc()));
            }
        }
        return compiled;
    }

    /** {@code where type#relation}: binds the link after {@code type} to that relation of it. */
    private boolean binding(CompositeNode node, CompositeNode.Binding binding, List<String> chain,
            Map<Integer, String> bindings, Schema reach) {
        String type = binding.type().name();
        int at = chain.indexOf(type);
        if (at < 0) {
            error.accept(binding.type().span(), "`where " + type + "#" + binding.relation().name() + "` names `" + type
                    + "`, which is not in the chain `" + String.join(" > ", chain) + "`");
            return false;
        }
        if (chain.lastIndexOf(type) != at) {
            error.accept(binding.type().span(), "`" + type + "` is in the chain more than once, so `where " + type
                    + "#...` does not say which link it binds");
            return false;
        }
        if (at == chain.size() - 1) {
            error.accept(binding.type().span(), "`" + type + "` is the last link of the chain: `where " + type
                    + "#relation` binds the link after it, and there is none");
            return false;
        }
        ObjectDefinition definition = definitions.get(type);
        if (definition == null) {
            return false; // reported with the chain
        }
        String relation = binding.relation().name();
        if (!definition.has(relation)) {
            error.accept(binding.relation().span(), "`" + type + "` has no relation or permission `" + relation + "`"
                    + Names.suggestion(relation, members(definition)));
            return false;
        }
        String next = chain.get(at + 1);
        if (reach != null && definitions.containsKey(next) && reach.subjectTypesReaching(type, relation).stream()
                .noneMatch(s -> s.type().equals(next))) {
            error.accept(binding.relation().span(), "no `" + next + "` can ever be `" + type + "#" + relation
                    + "`, so the link after `" + type + "` would always be refused");
            return false;
        }
        if (bindings.putIfAbsent(at + 1, relation) != null) {
            error.accept(binding.span(), "the link after `" + type + "` is already bound");
            return false;
        }
        return true;
    }

    private static List<String> members(ObjectDefinition definition) {
        List<String> all = new ArrayList<>(definition.relations().keySet());
        all.addAll(definition.permissions().keySet());
        return all;
    }

    private boolean rule(CompositeNode node, CompositeRuleNode rule, List<String> chain,
            Map<String, Map<String, List<String>>> rules, Schema reach) {
        String type = rule.resourceType().name();
        ObjectDefinition definition = definitions.get(type);
        if (definition == null) {
            error.accept(rule.resourceType().span(), "composite `" + node.name() + "` has a rule for `" + type
                    + "`, but there is no definition `" + type + "`" + Names.suggestion(type, definitions.keySet()));
            return false;
        }
        String asked = rule.permission().name();
        String problem = Names.relationProblem("permission", asked);
        if (problem != null) {
            error.accept(rule.permission().span(), problem);
            return false;
        }
        Map<String, List<String>> byPermission = rules.computeIfAbsent(type, t -> new LinkedHashMap<>());
        if (byPermission.containsKey(asked)) {
            error.accept(rule.permission().span(), "composite `" + node.name() + "` already has a rule for `"
                    + type + "#" + asked + "`");
            return false;
        }
        if (rule.links().size() != chain.size()) {
            Span at = rule.links().isEmpty() ? rule.span() : rule.links().get(0).span().to(
                    rule.links().get(rule.links().size() - 1).span());
            error.accept(at, "the rule for `" + type + "#" + asked + "` names " + rule.links().size()
                    + " permission" + (rule.links().size() == 1 ? "" : "s") + ", but the chain `"
                    + String.join(" > ", chain) + "` has " + chain.size() + " links: name one permission per link,"
                    + " separated by `>`");
            return false;
        }
        boolean ok = true;
        List<String> links = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            CompositeNode.Named link = rule.links().get(i);
            String principal = chain.get(i);
            if (!definition.has(link.name())) {
                error.accept(link.span(), "`" + type + "` has no relation or permission `" + link.name() + "`"
                        + Names.suggestion(link.name(), members(definition)));
                ok = false;
            } else if (reach != null && definitions.containsKey(principal) && reach.subjectTypesReaching(type,
                    link.name()).stream().noneMatch(s -> s.type().equals(principal))) {
                error.accept(link.span(), "no `" + chain.get(i) + "` can ever hold `" + type + "#" + link.name()
                        + "`, so link " + (i + 1) + " of the chain would always be refused");
                ok = false;
            }
            links.add(link.name());
        }
        if (ok) {
            byPermission.put(asked, links);
        }
        return ok;
    }
}
