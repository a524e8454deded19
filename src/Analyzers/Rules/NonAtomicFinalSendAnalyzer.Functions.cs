using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers
{
    // WSH006: the final send inside a local function, or a lambda called through the local it is stored in, whose call is
    // followed by the detach (`Task SendLast(…) => ws.SendAsync(…, true, ct); await SendLast(m); await ws.DetachAsync(ct);`).
    public sealed partial class NonAtomicFinalSendAnalyzer
    {
        private sealed partial class Analysis
        {
            /// <summary>
            /// On syntax: the send sits in a lambda or local function, and the member around it spells Detach or DetachAsync
            /// outside that function (the calls of a local function may come before its declaration).
            /// </summary>
            private static bool DetachIsSpelledAroundFunction(InvocationExpressionSyntax node)
            {
                SyntaxNode? function = null;
                SyntaxNode? member = null;
                for (SyntaxNode? current = node.Parent; current is not null; current = current.Parent)
                {
                    if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
                    {
                        function ??= current;
                    }
                    else if (current is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or CompilationUnitSyntax)
                    {
                        member = current;
                        break;
                    }
                }

                if (function is null || member is null)
                {
                    return false;
                }

                TextSpan inside = function.Span;
                foreach (SyntaxToken token in member.DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText is "DetachAsync" or "Detach" && !inside.Contains(token.Span))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// The send is in a local function, or in a lambda stored in a local written nowhere else and only called, and
            /// some path from the send leaves the function with nothing touching the socket: the detach that follows a call
            /// of the function (in the function around it) with nothing between that touches the socket, as read from the
            /// call (<see cref="Follow"/>, then the graph). A socket that is a parameter of the function is the argument
            /// passed at the call. Never fixed mechanically.
            /// </summary>
            private IInvocationOperation? DetachAfterCallOf(IInvocationOperation send, ISymbol socket, CancellationToken cancellationToken)
            {
                IOperation? function = null;
                IOperation root = send;
                for (IOperation? current = send.Parent; current is not null; current = current.Parent)
                {
                    if (function is null && current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    {
                        function = current;
                    }

                    root = current;
                }

                IMethodSymbol? symbol = function switch
                {
                    ILocalFunctionOperation local => local.Symbol,
                    IAnonymousFunctionOperation lambda => lambda.Symbol,
                    _ => null,
                };
                if (function is null || symbol is null)
                {
                    return null;
                }

                TextSpan body = function.Syntax.Span;
                if (socket is ILocalSymbol)
                {
                    foreach (SyntaxReference reference in socket.DeclaringSyntaxReferences)
                    {
                        if (body.Contains(reference.Span))
                        {
                            // A local of the function: nothing outside it names that socket.
                            return null;
                        }
                    }
                }

                IParameterSymbol? parameter = socket is IParameterSymbol p && SymbolEqualityComparer.Default.Equals(p.ContainingSymbol, symbol) ? p : null;
                ILocalSymbol? stored = null;
                if (function is IAnonymousFunctionOperation)
                {
                    // `Func<Task> sendLast = () => ws.SendAsync(…);`: the calls are the invocations of that local.
                    stored = function.Parent is IDelegateCreationOperation { Parent: IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } }
                        ? declarator.Symbol
                        : null;
                    if (stored is null)
                    {
                        return null;
                    }
                }

                SearchFrom(send, socket, toExit: true, out bool reachedExit, cancellationToken);
                if (!reachedExit)
                {
                    return null;
                }

                var calls = new List<IInvocationOperation>();
                foreach (IOperation operation in root.Descendants())
                {
                    if (stored is not null && operation is ILocalReferenceOperation reference
                        && SymbolEqualityComparer.Default.Equals(reference.Local, stored)
                        && !(operation.Parent is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke } invoke && invoke.Instance == operation))
                    {
                        // The delegate is written again or handed elsewhere: what a call runs is not known.
                        return null;
                    }

                    if (operation is IInvocationOperation call
                        && !body.Contains(call.Syntax.Span)
                        && (stored is null
                            ? SymbolEqualityComparer.Default.Equals(call.TargetMethod, symbol)
                            : call.TargetMethod.MethodKind == MethodKind.DelegateInvoke
                                && call.Instance is ILocalReferenceOperation invoked
                                && SymbolEqualityComparer.Default.Equals(invoked.Local, stored)))
                    {
                        calls.Add(call);
                    }
                }

                foreach (IInvocationOperation call in calls)
                {
                    IInvocationOperation? detach = DetachAfterCall(call, socket, parameter, cancellationToken);
                    if (detach is not null)
                    {
                        return detach;
                    }
                }

                return null;
            }

            /// <summary>
            /// The detach of the socket the function sends on — <paramref name="socket"/>, or when it is the function's
            /// <paramref name="parameter"/> the argument passed for it — that follows <paramref name="call"/> with nothing
            /// between touching the socket: read straight on from the call's statement (<see cref="Follow"/>), then on the graph.
            /// </summary>
            private IInvocationOperation? DetachAfterCall(IInvocationOperation call, ISymbol socket, IParameterSymbol? parameter, CancellationToken cancellationToken)
            {
                ISymbol? target = socket;
                if (parameter is not null)
                {
                    target = null;
                    foreach (IArgumentOperation argument in call.Arguments)
                    {
                        if (argument.Parameter is { } called && called.Ordinal == parameter.Ordinal)
                        {
                            target = Identity(argument.Value);
                        }
                    }
                }

                if (target is null)
                {
                    return null;
                }

                IInvocationOperation? detach = null;
                if (SkipTaskWrappers(call, upward: true) is IExpressionStatementOperation statement
                    && Follow(statement, target, ref detach, out _) == ScanResult.Detach)
                {
                    return detach;
                }

                return SearchFrom(call, target, toExit: false, out _, cancellationToken);
            }

            /// <summary>
            /// A call of a method of the type around it, declared in the same file (`await SendTextAsync("upgrade");` with
            /// `private Task SendTextAsync(string s) => _ws.SendAsync(…, true, ct);`), followed by the detach of the
            /// socket that method sends on last: a socket field or property of this type (the call on <c>this</c> or
            /// static), or a parameter of the method (the argument of the call). Reported at the call, never fixed.
            /// </summary>
            private void AnalyzeMemberCall(SyntaxNodeAnalysisContext context, InvocationExpressionSyntax node)
            {
                // On syntax first: the call is followed by a Detach spelling, and the type declaration around it declares a
                // method of that name whose body spells SendAsync.
                SimpleNameSyntax? called = node.Expression switch
                {
                    SimpleNameSyntax simple => simple,
                    MemberAccessExpressionSyntax memberAccess => memberAccess.Name,
                    _ => null,
                };
                string? name = called?.Identifier.ValueText;
                if (name is null or "SendAsync" or "DetachAsync" or "Detach" or "SendAndDetachAsync" || !DetachIsSpelledAfter(node))
                {
                    return;
                }

                TypeDeclarationSyntax? type = null;
                for (SyntaxNode? current = node.Parent; current is not null && type is null; current = current.Parent)
                {
                    type = current as TypeDeclarationSyntax;
                }

                List<MethodDeclarationSyntax>? candidates = null;
                foreach (MemberDeclarationSyntax member in type?.Members ?? default)
                {
                    if (member is MethodDeclarationSyntax method && method.Identifier.ValueText == name && SpellsSend(method))
                    {
                        (candidates ??= new List<MethodDeclarationSyntax>()).Add(method);
                    }
                }

                if (candidates is null
                    || context.SemanticModel.GetOperation(node, context.CancellationToken) is not IInvocationOperation call
                    || call.TargetMethod.OriginalDefinition is not { MethodKind: MethodKind.Ordinary } target
                    || !(call.Instance is null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }))
                {
                    return;
                }

                MethodDeclarationSyntax? declaration = null;
                foreach (SyntaxReference reference in target.DeclaringSyntaxReferences)
                {
                    foreach (MethodDeclarationSyntax candidate in candidates)
                    {
                        if (reference.SyntaxTree == node.SyntaxTree && reference.Span == candidate.Span)
                        {
                            declaration = candidate;
                        }
                    }
                }

                if (declaration is null || context.SemanticModel.GetOperation(declaration, context.CancellationToken) is not IMethodBodyOperation body)
                {
                    return;
                }

                foreach (IOperation operation in body.Descendants())
                {
                    if (operation is not IInvocationOperation send
                        || FinalSendReceiver(send) is not { } receiver
                        || InsideFunction(send, body))
                    {
                        continue;
                    }

                    // The socket the caller can name: a field or property (of this instance, or static), or a parameter of
                    // the method, which stands for the argument of the call.
                    ISymbol? socket = Identity(receiver);
                    IParameterSymbol? parameter = socket as IParameterSymbol;
                    if (socket is null or ILocalSymbol
                        || (parameter is not null && !SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, target)))
                    {
                        continue;
                    }

                    SearchFrom(send, socket, toExit: true, out bool reachedExit, context.CancellationToken);
                    if (!reachedExit)
                    {
                        continue;
                    }

                    IInvocationOperation? detach = DetachAfterCall(call, socket, parameter, context.CancellationToken);
                    if (detach is null)
                    {
                        continue;
                    }

                    ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                        .Add(Descriptors.PropertyDetachKind, detach.TargetMethod.Name)
                        .Add(Descriptors.PropertyFixable, "false");
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.NonAtomicFinalSend,
                        node.GetLocation(),
                        additionalLocations: new[] { detach.Syntax.GetLocation() },
                        properties: properties));
                    return;
                }
            }

            private static bool SpellsSend(MethodDeclarationSyntax method)
            {
                SyntaxNode? body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
                if (body is null)
                {
                    return false;
                }

                foreach (SyntaxToken token in body.DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText == "SendAsync")
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>Whether the operation sits in a lambda or local function inside <paramref name="body"/>.</summary>
            private static bool InsideFunction(IOperation operation, IOperation body)
            {
                for (IOperation? current = operation.Parent; current is not null && current != body; current = current.Parent)
                {
                    if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
