using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using Microsoft.CodeAnalysis.Text;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.CodeFixes.Editing;

namespace WebSocketHandoff.CodeFixes.Fixers
{
    /// <summary>
    /// WSH006: merges <c>await ws.SendAsync(message, type, true, ct); … ws.DetachAsync(ct)</c> into
    /// <c>ws.SendAndDetachAsync(message, type, ct)</c> at the detach's place, so the final message is the last frame on the
    /// wire. A synchronous <c>Detach()</c> becomes <c>await ws.SendAndDetachAsync(…)</c> where the code can await; elsewhere
    /// no fix is offered.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseSendAndDetachCodeFixProvider)), Shared]
    public sealed class UseSendAndDetachCodeFixProvider : CodeFixProvider
    {
        internal const string EquivalenceKey = "WebSocketHandoff.UseSendAndDetachAsync";

        internal const string Title = "Merge the final send and the detach into SendAndDetachAsync";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.NonAtomicFinalSend);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => DocumentFixAll.Create(EquivalenceKey, FixAsync);

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null || FixEditing.GetHandoffWebSocket(model.Compilation) is null)
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                if (Merge.TryCreate(root, model, diagnostic, context.CancellationToken) is null)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(Title, cancellationToken => FixAsync(context.Document, ImmutableArray.Create(diagnostic), cancellationToken), EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            if (FixEditing.GetHandoffWebSocket(editor.SemanticModel.Compilation) is null)
            {
                return document;
            }

            var edited = new List<TextSpan>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                var merge = Merge.TryCreate(editor.OriginalRoot, editor.SemanticModel, diagnostic, cancellationToken);
                if (merge is null || merge.EditedSpans.Any(span => edited.Any(e => e.IntersectsWith(span))))
                {
                    continue;
                }

                edited.AddRange(merge.EditedSpans);
                merge.Apply(editor);
            }

            return editor.GetChangedDocument();
        }

        /// <summary>One final send and the detach after it, resolved and checked.</summary>
        private sealed class Merge
        {
            private Merge(StatementSyntax sendStatement, ImmutableArray<StatementSyntax> taskWaits, InvocationExpressionSyntax detach, ExpressionSyntax replacement)
            {
                SendStatement = sendStatement;
                TaskWaits = taskWaits;
                Detach = detach;
                Replacement = replacement;
            }

            /// <summary>The send's statement, or the declaration of the local that stores its task.</summary>
            public StatementSyntax SendStatement { get; }

            /// <summary>The statements that only wait for the stored send task (<c>await t;</c>); they go with the declaration.</summary>
            public ImmutableArray<StatementSyntax> TaskWaits { get; }

            public InvocationExpressionSyntax Detach { get; }

            public ExpressionSyntax Replacement { get; }

            public IEnumerable<TextSpan> EditedSpans =>
                new[] { SendStatement.Span, Detach.Span }.Concat(TaskWaits.Select(wait => wait.Span));

            public void Apply(SyntaxEditor editor)
            {
                editor.ReplaceNode(Detach, Replacement);
                FixEditing.RemoveStatement(editor, SendStatement);
                foreach (var wait in TaskWaits)
                {
                    FixEditing.RemoveStatement(editor, wait);
                }
            }

            /// <summary>
            /// Whether code between the send's statement and the detach may change what the send's arguments read: it names
            /// a local, parameter or field they read (<c>ArrayPool&lt;byte&gt;.Shared.Return(buffer)</c>, <c>msg = …</c>), or,
            /// when they read a field or property declared in source, it calls or assigns anything. Merging would then send
            /// another message, or a returned buffer.
            /// </summary>
            private static bool WrittenBetween(SemanticModel model, IEnumerable<ExpressionSyntax> arguments, StatementSyntax sendStatement, InvocationExpressionSyntax detach, CancellationToken cancellationToken)
            {
                var between = TextSpan.FromBounds(sendStatement.Span.End, detach.SpanStart);
                if (between.IsEmpty)
                {
                    return false;
                }

                var read = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                var readsSourceState = false;
                foreach (var argument in arguments)
                {
                    foreach (var name in argument.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                    {
                        switch (model.GetSymbolInfo(name, cancellationToken).Symbol)
                        {
                            case ILocalSymbol local:
                                read.Add(local.OriginalDefinition);
                                break;
                            case IParameterSymbol parameter:
                                read.Add(parameter.OriginalDefinition);
                                break;
                            case IFieldSymbol { IsConst: false } field:
                                read.Add(field.OriginalDefinition);
                                readsSourceState |= SymbolEqualityComparer.Default.Equals(field.ContainingAssembly, model.Compilation.Assembly);
                                break;
                            case IPropertySymbol property:
                                read.Add(property.OriginalDefinition);
                                readsSourceState |= SymbolEqualityComparer.Default.Equals(property.ContainingAssembly, model.Compilation.Assembly);
                                break;
                        }
                    }
                }

                var scope = detach.SyntaxTree.GetRoot(cancellationToken);
                foreach (var node in scope.DescendantNodes(between))
                {
                    if (!between.Contains(node.Span))
                    {
                        continue;
                    }

                    if (node is IdentifierNameSyntax name
                        && model.GetSymbolInfo(name, cancellationToken).Symbol is ISymbol symbol
                        && read.Contains(symbol.OriginalDefinition))
                    {
                        return true;
                    }

                    if (readsSourceState
                        && (node is InvocationExpressionSyntax
                            || node is AssignmentExpressionSyntax
                            || node.IsKind(SyntaxKind.PreIncrementExpression) || node.IsKind(SyntaxKind.PreDecrementExpression)
                            || node.IsKind(SyntaxKind.PostIncrementExpression) || node.IsKind(SyntaxKind.PostDecrementExpression)))
                    {
                        return true;
                    }
                }

                return false;
            }

            public static Merge? TryCreate(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
            {
                // The analyzer says when the pair cannot be merged mechanically (the detach is past an if/try/using the
                // send sits in, or the stored send task has other uses).
                if (diagnostic.AdditionalLocations.Count < 1
                    || diagnostic.Location.SourceTree != root.SyntaxTree
                    || diagnostic.AdditionalLocations.Any(location => location.SourceTree != root.SyntaxTree)
                    || (diagnostic.Properties.TryGetValue(Descriptors.PropertyFixable, out var fixable) && fixable == "false"))
                {
                    return null;
                }

                var send = Find(root, diagnostic.Location.SourceSpan);
                var detach = Find(root, diagnostic.AdditionalLocations[0].SourceSpan);
                if (send is null || detach is null
                    || !(detach.Expression is MemberAccessExpressionSyntax detachAccess)
                    || !(((StatementSyntax?)FixEditing.GetStatementOfCall(send) ?? TaskDeclarationOf(send)) is StatementSyntax sendStatement)
                    || sendStatement.Span.Contains(detach.Span))
                {
                    return null;
                }

                // AdditionalLocations[1..]: the statements that wait for a stored send task.
                var taskWaits = ImmutableArray.CreateBuilder<StatementSyntax>();
                foreach (var location in diagnostic.AdditionalLocations.Skip(1))
                {
                    if (!(root.FindNode(location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<StatementSyntax>() is StatementSyntax wait)
                        || wait.Span != location.SourceSpan)
                    {
                        return null;
                    }

                    taskWaits.Add(wait);
                }

                if (!(sendStatement is ExpressionStatementSyntax) && taskWaits.Count == 0 && !IsUnusedTaskDeclaration(sendStatement, model, cancellationToken))
                {
                    return null;
                }

                // Which detach: the property says; the method name is the fallback.
                var isAsync = diagnostic.Properties.TryGetValue(Descriptors.PropertyDetachKind, out var kind) && kind != null
                    ? kind == "DetachAsync"
                    : detachAccess.Name.Identifier.ValueText == "DetachAsync";
                if (!isAsync && !FixEditing.CanAwaitAt(detach))
                {
                    return null;
                }

                // SendAsync(buffer, messageType, endOfMessage | messageFlags, cancellationToken), by parameter position.
                if (!(model.GetSymbolInfo(send, cancellationToken).Symbol is IMethodSymbol sendMethod) || sendMethod.Parameters.Length < 3)
                {
                    return null;
                }

                var sendArguments = new ExpressionSyntax?[sendMethod.Parameters.Length];
                var position = 0;
                foreach (var argument in send.ArgumentList.Arguments)
                {
                    var index = argument.NameColon is null
                        ? position
                        : sendMethod.Parameters.IndexOf(sendMethod.Parameters.FirstOrDefault(p => p.Name == argument.NameColon.Name.Identifier.ValueText)!);
                    if (index < 0 || index >= sendArguments.Length)
                    {
                        return null;
                    }

                    sendArguments[index] = argument.Expression;
                    position++;
                }

                var message = sendArguments[0];
                var messageType = sendArguments[1];
                if (message is null || messageType is null)
                {
                    return null;
                }

                // The merged call sends at the detach's place: the statements between then run before the message is read.
                if (WrittenBetween(model, new[] { message, messageType }, sendStatement, detach, cancellationToken))
                {
                    return null;
                }

                // SendAndDetachAsync takes ReadOnlyMemory<byte>: byte[], ArraySegment<byte> and Memory<byte> convert implicitly.
                var readOnlyMemory = model.Compilation.GetTypeByMetadataName("System.ReadOnlyMemory`1");
                var byteType = model.Compilation.GetSpecialType(SpecialType.System_Byte);
                if (readOnlyMemory is null)
                {
                    return null;
                }

                var conversion = model.ClassifyConversion(message, readOnlyMemory.Construct(byteType));
                var newMessage = message.WithoutTrivia();
                if (!conversion.Exists || !conversion.IsImplicit)
                {
                    // Something that became an ArraySegment<byte> through a user conversion: go through ArraySegment explicitly.
                    if (!(sendMethod.Parameters[0].Type is INamedTypeSymbol parameterType) || parameterType.Name != "ArraySegment")
                    {
                        return null;
                    }

                    newMessage = SyntaxFactory.CastExpression(
                        SyntaxFactory.ParseTypeName("global::System.ArraySegment<byte>").WithAdditionalAnnotations(Simplifier.Annotation),
                        SyntaxFactory.ParenthesizedExpression(newMessage).WithAdditionalAnnotations(Simplifier.Annotation));
                }

                // The token: the send's, unless it is None/default; then the detach's.
                var token = sendMethod.Parameters.Length > 3 ? sendArguments[3] : null;
                if (token is null || FixEditing.IsNoneToken(token))
                {
                    var detachToken = detach.ArgumentList.Arguments.FirstOrDefault()?.Expression;
                    token = detachToken != null && !FixEditing.IsNoneToken(detachToken) ? detachToken : null;
                }

                var arguments = new List<ArgumentSyntax>
                {
                    SyntaxFactory.Argument(newMessage),
                    SyntaxFactory.Argument(messageType.WithoutTrivia()),
                };
                if (token != null)
                {
                    arguments.Add(SyntaxFactory.Argument(token.WithoutTrivia()));
                }

                ExpressionSyntax replacement = SyntaxFactory.InvocationExpression(
                    detachAccess.WithName(SyntaxFactory.IdentifierName("SendAndDetachAsync")),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments)));
                if (!isAsync)
                {
                    replacement = FixEditing.ParenthesizeForPosition(SyntaxFactory.AwaitExpression(replacement), detach);
                }

                return new Merge(sendStatement, taskWaits.ToImmutable(), detach, replacement.WithTriviaFrom(detach).WithAdditionalAnnotations(Formatter.Annotation));
            }

            /// <summary>
            /// The declaration <c>var t = ws.SendAsync(…);</c> (one variable; <c>.ConfigureAwait(…)</c>/<c>.AsTask()</c>
            /// allowed) whose initializer is the send, else null.
            /// </summary>
            private static LocalDeclarationStatementSyntax? TaskDeclarationOf(InvocationExpressionSyntax send)
            {
                SyntaxNode node = send;
                while (node.Parent is ParenthesizedExpressionSyntax
                    || (node.Parent is MemberAccessExpressionSyntax access && access.Expression == node
                        && access.Name.Identifier.ValueText is "ConfigureAwait" or "AsTask"
                        && access.Parent is InvocationExpressionSyntax))
                {
                    node = node.Parent is ParenthesizedExpressionSyntax ? node.Parent : node.Parent!.Parent!;
                }

                return node.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration } } }
                    && declaration.UsingKeyword.IsKind(SyntaxKind.None)
                        ? declaration
                        : null;
            }

            /// <summary>Whether the task local declared by <paramref name="declaration"/> is never read (then removing it is safe).</summary>
            private static bool IsUnusedTaskDeclaration(StatementSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
            {
                if (!(declaration is LocalDeclarationStatementSyntax local)
                    || !(model.GetDeclaredSymbol(local.Declaration.Variables[0], cancellationToken) is ILocalSymbol symbol)
                    || !((declaration.Parent is GlobalStatementSyntax global ? global.Parent : declaration.Parent) is SyntaxNode scope))
                {
                    return false;
                }

                return !scope.DescendantNodes().OfType<IdentifierNameSyntax>().Any(name =>
                    name.Identifier.ValueText == symbol.Name
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, symbol));
            }

            private static InvocationExpressionSyntax? Find(SyntaxNode root, TextSpan span) =>
                root.FullSpan.Contains(span)
                    ? root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>()
                    : null;
        }
    }
}
