using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.CodeFixes.Editing
{
    /// <summary>
    /// Applies handoff plans and close-call removals to one document in a single edit, so a Fix All that meets several
    /// diagnostics about one creation rewrites that creation once (one detach, every root replaced).
    /// </summary>
    internal static class HandoffRewriter
    {
        /// <summary>
        /// Checks that the plan can be applied to <paramref name="root"/> and that HandoffWebSocket has a CreateFromStream
        /// taking the creation's arguments: the fixer registers a fix only then.
        /// </summary>
        public static bool CanApply(SyntaxNode root, SemanticModel model, HandoffPlan plan, CancellationToken cancellationToken)
        {
            var handoff = FixEditing.GetHandoffWebSocket(model.Compilation);
            var sites = PlanSites.TryResolve(root, plan);
            return handoff != null && sites != null
                && HasMatchingCreate(model, handoff, sites.Creation, cancellationToken)
                && ClosesCanBeRewritten(model, sites, cancellationToken);
        }

        /// <summary>The overloads mirror WebSocket.CreateFromStream; an overload without a counterpart (e.g. a newer BCL one) is not rewritten.</summary>
        private static bool HasMatchingCreate(SemanticModel model, INamedTypeSymbol handoff, InvocationExpressionSyntax creation, CancellationToken cancellationToken)
        {
            if (!(model.GetSymbolInfo(creation, cancellationToken).Symbol is IMethodSymbol original))
            {
                return false;
            }

            return handoff.GetMembers("CreateFromStream").OfType<IMethodSymbol>().Any(candidate =>
                candidate.IsStatic
                && candidate.Parameters.Length == original.Parameters.Length
                && candidate.Parameters.Zip(original.Parameters, (a, b) => a.Name == b.Name && SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same));
        }

        /// <summary>Whether every close of the plan is on the WebSocket variable and has a shape the fix can rewrite (see <see cref="CloseSite.CanRewrite"/>).</summary>
        private static bool ClosesCanBeRewritten(SemanticModel model, PlanSites sites, CancellationToken cancellationToken)
        {
            if (sites.Closes.IsEmpty)
            {
                return true;
            }

            var webSocket = sites.Declarator != null
                ? model.GetDeclaredSymbol(sites.Declarator, cancellationToken)
                : model.GetSymbolInfo(sites.AssignmentTarget!, cancellationToken).Symbol;
            return webSocket != null && sites.Closes.All(close => close.CanRewrite(model, webSocket, cancellationToken));
        }

        /// <summary>
        /// How the WSH002 fix treats the HandoffWebSocket close at <paramref name="span"/> (see <see cref="CloseSite.TryResolveOnHandoff"/>):
        /// <c>true</c> when it is dropped, <c>false</c> when it is guarded, null when there is no fix.
        /// </summary>
        public static bool? GetHandoffCloseFix(SyntaxNode root, SemanticModel model, TextSpan span, CancellationToken cancellationToken) =>
            CloseSite.TryResolveOnHandoff(root, model, span, cancellationToken)?.Drop;

        /// <summary>
        /// Rewrites <paramref name="document"/>: every plan (one per creation; duplicates are ignored) and every close call
        /// in <paramref name="closeCalls"/>. A plan that cannot be applied, or that overlaps one already applied, is skipped.
        /// </summary>
        public static async Task<Document> ApplyAsync(Document document, IEnumerable<HandoffPlan> plans, IEnumerable<TextSpan> closeCalls, CancellationToken cancellationToken)
        {
            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var model = editor.SemanticModel;
            var handoff = FixEditing.GetHandoffWebSocket(model.Compilation);
            if (handoff is null)
            {
                return document;
            }

            var root = editor.OriginalRoot;
            var edited = new List<TextSpan>();
            var reservedNames = new Dictionary<SyntaxNode, HashSet<string>>();
            var creations = new HashSet<TextSpan>();

            foreach (var plan in plans.OrderBy(p => p.Creation.Start))
            {
                if (!creations.Add(plan.Creation))
                {
                    continue;
                }

                var sites = PlanSites.TryResolve(root, plan);
                if (sites is null
                    || !HasMatchingCreate(model, handoff, sites.Creation, cancellationToken)
                    || !ClosesCanBeRewritten(model, sites, cancellationToken)
                    || sites.EditedSpans.Any(span => edited.Any(e => e.IntersectsWith(span))))
                {
                    continue;
                }

                edited.AddRange(sites.EditedSpans);
                ApplyPlan(editor, model, handoff, sites, reservedNames, cancellationToken);
            }

            foreach (var span in closeCalls)
            {
                var close = CloseSite.TryResolveOnHandoff(root, model, span, cancellationToken);
                if (close is null || edited.Any(e => e.IntersectsWith(close.EditedNode.Span)))
                {
                    continue;
                }

                edited.Add(close.EditedNode.Span);
                var typedAsHandoff = SymbolEqualityComparer.Default.Equals(model.GetTypeInfo(close.Receiver, cancellationToken).Type, handoff);
                new CloseGuard(editor.Generator, handoff, model.Compilation, typedAsHandoff).Rewrite(editor, close);
            }

            return editor.GetChangedDocument();
        }

        private static void ApplyPlan(DocumentEditor editor, SemanticModel model, INamedTypeSymbol handoff, PlanSites sites, Dictionary<SyntaxNode, HashSet<string>> reservedNames, CancellationToken cancellationToken)
        {
            var generator = editor.Generator;

            // 1. The creation: same arguments, HandoffWebSocket's CreateFromStream.
            var creationTarget = sites.Creation.Expression;
            var newTarget = SyntaxFactory.MemberAccessExpression(
                    SyntaxKind.SimpleMemberAccessExpression,
                    FixEditing.HandoffTypeSyntax(generator, handoff),
                    SyntaxFactory.IdentifierName("CreateFromStream"))
                .WithTriviaFrom(creationTarget)
                .WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);
            editor.ReplaceNode(creationTarget, newTarget);

            // 2. The variable: HandoffWebSocket-typed where the declaration allows it, else cast at the detach.
            var receiver = GetDetachReceiver(editor, model, handoff, sites, out var typedAsHandoff, cancellationToken);

            // 3. The detach, before the first raw use, and the roots pointed at the detached stream.
            var scope = FixEditing.GetNamingScope(sites.DetachBefore);
            if (!reservedNames.TryGetValue(scope, out var reserved))
            {
                reserved = new HashSet<string>();
                reservedNames.Add(scope, reserved);
            }

            var name = FixEditing.ChooseUniqueName(model, scope, sites.DetachBefore.SpanStart, "raw", reserved);
            ExpressionSyntax detach;
            if (sites.CanAwait)
            {
                var token = FixEditing.FindCancellationToken(model, sites.DetachBefore.SpanStart, cancellationToken);
                var arguments = token is null
                    ? SyntaxFactory.ArgumentList()
                    : SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(token)));
                detach = SyntaxFactory.AwaitExpression(SyntaxFactory.InvocationExpression(
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, SyntaxFactory.IdentifierName("DetachAsync")),
                    arguments));
            }
            else
            {
                detach = SyntaxFactory.InvocationExpression(
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, receiver, SyntaxFactory.IdentifierName("Detach")));
            }

            var detachStatement = SyntaxFactory.LocalDeclarationStatement(
                    SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.IdentifierName("var"),
                        SyntaxFactory.SingletonSeparatedList(
                            SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(name))
                                .WithInitializer(SyntaxFactory.EqualsValueClause(detach)))))
                .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);

            foreach (var rootExpression in sites.Roots)
            {
                editor.ReplaceNode(rootExpression, SyntaxFactory.IdentifierName(name).WithTriviaFrom(rootExpression));
            }

            // 4. A close after the detach would throw on a detached socket (and wrote a Close frame into the raw stream before).
            // One that follows the detach on every path is dropped; one also reached where no detach ran keeps closing there.
            var guard = new CloseGuard(editor.Generator, handoff, model.Compilation, typedAsHandoff);
            foreach (var close in sites.Closes)
            {
                guard.Rewrite(editor, close);
            }

            // Inserted last: the statement may contain roots replaced above; the editor composes both edits.
            if (FixEditing.IsInStatementList(sites.DetachBefore))
            {
                FixEditing.InsertBefore(editor, sites.DetachBefore, detachStatement);
            }
            else
            {
                editor.ReplaceNode(sites.DetachBefore, (current, _) =>
                    SyntaxFactory.Block(detachStatement, ((StatementSyntax)current).WithoutTrivia())
                        .WithTriviaFrom(current)
                        .WithAdditionalAnnotations(Formatter.Annotation));
            }
        }

        /// <summary>
        /// The expression the detach is called on. A local declared <c>var</c> from the creation and written nowhere else
        /// becomes a HandoffWebSocket; one declared <c>WebSocket</c> and written nowhere else gets the type HandoffWebSocket;
        /// anything else (a field, a local assigned elsewhere too) keeps its type (a <c>var</c> is spelled out) and is cast at
        /// the detach. <paramref name="typedAsHandoff"/> says whether the variable is a HandoffWebSocket after the fix.
        /// </summary>
        private static ExpressionSyntax GetDetachReceiver(DocumentEditor editor, SemanticModel model, INamedTypeSymbol handoff, PlanSites sites, out bool typedAsHandoff, CancellationToken cancellationToken)
        {
            typedAsHandoff = true;
            VariableDeclaratorSyntax? declarator = null;
            ExpressionSyntax receiver;
            SyntaxNode? creationWrite = null;
            if (sites.Declarator != null)
            {
                declarator = sites.Declarator;
                receiver = SyntaxFactory.IdentifierName(declarator.Identifier.WithoutTrivia());
            }
            else
            {
                var target = sites.AssignmentTarget!;
                receiver = target.WithoutTrivia();
                creationWrite = target.Parent;
                if (model.GetSymbolInfo(target, cancellationToken).Symbol is ILocalSymbol local
                    && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is VariableDeclaratorSyntax localDeclarator
                    && localDeclarator.SyntaxTree == model.SyntaxTree
                    && localDeclarator.Initializer is null)
                {
                    declarator = localDeclarator;
                }
            }

            if (declarator?.Parent is VariableDeclarationSyntax declaration
                && !(declarator.Parent.Parent is FieldDeclarationSyntax)
                && !(declarator.Parent.Parent is EventFieldDeclarationSyntax))
            {
                if (declaration.Type.IsVar && sites.Declarator != null)
                {
                    if (!(model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol varLocal)
                        || !IsWrittenElsewhere(model, varLocal, creationWrite, cancellationToken))
                    {
                        return receiver;
                    }

                    // Another assignment needs the declared type to stay what the creation returned.
                    editor.ReplaceNode(declaration.Type, editor.Generator.TypeExpression(varLocal.Type)
                        .WithTriviaFrom(declaration.Type)
                        .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
                }

                if (!declaration.Type.IsVar
                    && declaration.Variables.Count == 1
                    && model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol local
                    && !IsWrittenElsewhere(model, local, creationWrite, cancellationToken))
                {
                    // `WebSocket? ws = …` keeps its annotation: `HandoffWebSocket? ws = …`.
                    var handoffType = FixEditing.HandoffTypeSyntax(editor.Generator, handoff);
                    if (declaration.Type is NullableTypeSyntax)
                    {
                        handoffType = SyntaxFactory.NullableType(handoffType);
                    }

                    editor.ReplaceNode(declaration.Type, handoffType.WithTriviaFrom(declaration.Type));
                    return receiver;
                }
            }

            typedAsHandoff = false;
            return SyntaxFactory.ParenthesizedExpression(
                    SyntaxFactory.CastExpression(FixEditing.HandoffTypeSyntax(editor.Generator, handoff), receiver))
                .WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);
        }

        /// <summary>Whether the local is assigned (or passed by ref/out) anywhere but <paramref name="creationWrite"/>.</summary>
        private static bool IsWrittenElsewhere(SemanticModel model, ILocalSymbol local, SyntaxNode? creationWrite, CancellationToken cancellationToken)
        {
            var declaration = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
            var body = declaration?.Ancestors().FirstOrDefault(n => n is MemberDeclarationSyntax && !(n is GlobalStatementSyntax))
                ?? declaration?.SyntaxTree.GetRoot(cancellationToken);
            if (body is null)
            {
                return true;
            }

            foreach (var identifier in body.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != local.Name)
                {
                    continue;
                }

                var write = GetWrite(identifier);
                if (write is null || write == creationWrite)
                {
                    continue;
                }

                if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, local))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The assignment or ref/out argument that writes <paramref name="identifier"/>, if any.</summary>
        private static SyntaxNode? GetWrite(IdentifierNameSyntax identifier)
        {
            SyntaxNode node = identifier;
            while (node.Parent is ParenthesizedExpressionSyntax || node.Parent is ArgumentSyntax { Parent: TupleExpressionSyntax } || node.Parent is TupleExpressionSyntax)
            {
                node = node.Parent;
            }

            switch (node.Parent)
            {
                case AssignmentExpressionSyntax assignment when assignment.Left == node:
                    return assignment;
                case ArgumentSyntax argument when !argument.RefKindKeyword.IsKind(SyntaxKind.None):
                    return argument;
                case PrefixUnaryExpressionSyntax _:
                case PostfixUnaryExpressionSyntax _:
                    return node.Parent;
                default:
                    return null;
            }
        }

        /// <summary>The syntax a plan points at, resolved and checked.</summary>
        private sealed class PlanSites
        {
            public InvocationExpressionSyntax Creation = null!;
            public VariableDeclaratorSyntax? Declarator;
            public ExpressionSyntax? AssignmentTarget;
            public StatementSyntax DetachBefore = null!;
            public ImmutableArray<ExpressionSyntax> Roots;
            public ImmutableArray<CloseSite> Closes;
            public bool CanAwait;
            public ImmutableArray<TextSpan> EditedSpans;

            public static PlanSites? TryResolve(SyntaxNode root, HandoffPlan plan)
            {
                if (root.SyntaxTree != plan.Tree && !root.FullSpan.Contains(plan.Creation))
                {
                    return null;
                }

                var sites = new PlanSites { CanAwait = plan.CanAwait };

                // The creation, and the variable it is stored in.
                if (!(Find(root, plan.Creation)?.FirstAncestorOrSelf<InvocationExpressionSyntax>() is InvocationExpressionSyntax creation)
                    || GetMethodName(creation.Expression) != "CreateFromStream")
                {
                    return null;
                }

                sites.Creation = creation;
                SyntaxNode value = creation;
                while (value.Parent is ParenthesizedExpressionSyntax)
                {
                    value = value.Parent;
                }

                if (value.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator })
                {
                    sites.Declarator = declarator;
                }
                else if (value.Parent is AssignmentExpressionSyntax assignment
                    && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                    && assignment.Right == value
                    && (assignment.Left is IdentifierNameSyntax || assignment.Left is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax }))
                {
                    sites.AssignmentTarget = assignment.Left;
                }
                else
                {
                    return null;
                }

                // Where the detach goes: after the creation, in a statement list, or around a lone embedded statement.
                if (!(Find(root, plan.DetachBefore)?.FirstAncestorOrSelf<StatementSyntax>() is StatementSyntax detachBefore)
                    || detachBefore.SpanStart < creation.Span.End)
                {
                    return null;
                }

                sites.DetachBefore = detachBefore;

                // `await` cannot appear in a lock body (nor in a method that is not async): there the detach is `Detach()`.
                sites.CanAwait &= FixEditing.CanAwaitAt(detachBefore);
                var detachScope = FixEditing.IsInStatementList(detachBefore)
                    ? (detachBefore.Parent is GlobalStatementSyntax ? root : detachBefore.Parent!)
                    : detachBefore;

                // The roots: each must see the new local (after the detach, inside its scope).
                var roots = ImmutableArray.CreateBuilder<ExpressionSyntax>(plan.Roots.Length);
                foreach (var span in plan.Roots)
                {
                    if (!(Find(root, span) is ExpressionSyntax rootExpression)
                        || rootExpression.SpanStart < detachBefore.SpanStart
                        || !detachScope.Span.Contains(rootExpression.Span))
                    {
                        return null;
                    }

                    roots.Add(rootExpression);
                }

                sites.Roots = roots.ToImmutable();

                // A goto past the detach would reach the raw uses with the detached stream unassigned.
                if (DetachOrder.CanBeSkippedByGoto(detachBefore))
                {
                    return null;
                }

                // The close calls: on the WebSocket variable itself, dropped or guarded (see CloseSite).
                var closes = ImmutableArray.CreateBuilder<CloseSite>(plan.Closes.Length);
                foreach (var span in plan.Closes)
                {
                    var close = CloseSite.TryResolve(root, span, detachBefore);
                    if (close is null)
                    {
                        return null;
                    }

                    closes.Add(close);
                }

                sites.Closes = closes.ToImmutable();

                var editedSpans = ImmutableArray.CreateBuilder<TextSpan>();
                editedSpans.Add(creation.Span);
                editedSpans.AddRange(sites.Roots.Select(r => r.Span));
                editedSpans.AddRange(sites.Closes.Select(c => c.EditedNode.Span));
                sites.EditedSpans = editedSpans.ToImmutable();
                return sites;
            }

            private static SyntaxNode? Find(SyntaxNode root, TextSpan span) =>
                root.FullSpan.Contains(span) ? root.FindNode(span, getInnermostNodeForTie: true) : null;

            private static string? GetMethodName(ExpressionSyntax target) => target switch
            {
                MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
                IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                _ => null,
            };
        }
    }
}
