using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers
{
    /// <summary>
    /// WSH006: on a HandoffWebSocket, a final <c>SendAsync(…, endOfMessage: true, …)</c> statement followed, with nothing
    /// between that touches the socket, by <c>DetachAsync</c>/<c>Detach</c> on the same instance. Between the two the
    /// keep-alive timer can write a frame; <c>SendAndDetachAsync</c> closes that window.
    /// </summary>
    /// <remarks>
    /// The send is a statement of its own (awaited or not, with <c>ConfigureAwait</c>/<c>GetAwaiter().GetResult()</c>/<c>Wait()</c>),
    /// the initializer of a local holding its task, or the antecedent of a <c>ContinueWith</c>; its receiver is a local,
    /// parameter, field or property of static type HandoffWebSocket. From the send the statements are read along the path
    /// it always takes when it completes: the rest of its block (or switch section), then, past the end of an if/else
    /// branch, try body (with its finally), using body or plain block, the statements after that statement. One that does
    /// not mention the socket (logging, a delay, awaiting the stored task) is skipped; the first that does must be the
    /// detach (<c>await ws.DetachAsync(ct)</c>, <c>var raw = …</c>, <c>return …</c>, <c>using var raw = …</c>), also when
    /// it opens a nested block or <c>try</c>. Anything else — another send or receive, passing the socket on, a call that
    /// may reach it, a jump, the detach only in a branch, a loop around the send — ends the search silently.
    /// When that straight reading finds no detach (the detach only in a branch or past an early return, the send in a loop,
    /// switch section, catch or lock with the detach after it, the send inside a larger expression), the control-flow graph
    /// is searched from the send for a detach some path reaches with nothing touching the socket first
    /// (NonAtomicFinalSendAnalyzer.Paths.cs); such a pair is reported without a fix. A send in a <c>finally</c> goes on
    /// after the <c>try</c> when the try can complete normally. A send in a local function, or in a lambda stored in a local
    /// that is only called, that some path leaves the function after, is paired with a detach following a call of the
    /// function (NonAtomicFinalSendAnalyzer.Functions.cs), also without a fix; so is a send in a method of the same type
    /// declared in the same file, whose call (on this, or with the socket as argument) precedes the detach — reported at the call.
    /// The diagnostic carries <see cref="Descriptors.PropertyFixable"/> = <c>"false"</c> when the fix cannot merge the pair
    /// mechanically (the detach past a boundary or on some paths only, a stored task with other uses, a continuation, a send
    /// inside a larger expression); otherwise AdditionalLocations[1..] are the statements that only wait for a stored send
    /// task, which the fix removes.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed partial class NonAtomicFinalSendAnalyzer : DiagnosticAnalyzer
    {
        // WebSocketMessageFlags.EndOfMessage.
        private const long EndOfMessageFlag = 1;

        // TaskContinuationOptions.NotOnRanToCompletion (also part of OnlyOnFaulted and OnlyOnCanceled).
        private const int NotOnRanToCompletion = 0x10000;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.NonAtomicFinalSend);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(OnCompilationStart);
        }

        private static void OnCompilationStart(CompilationStartAnalysisContext context)
        {
            INamedTypeSymbol? webSocket = context.Compilation.GetTypeByMetadataName(Types.WebSocket);
            if (webSocket is null)
            {
                return;
            }

            INamedTypeSymbol? handoff = context.Compilation.GetTypeByMetadataName(Types.HandoffWebSocket);
            if (handoff is null)
            {
                return;
            }

            // Only code blocks that spell a detach can hold a send followed by one: look at their invocations, skip the
            // rest. One callback per code block instead of one per invocation of the compilation, which was most of
            // this rule's cost on code that never detaches (the per-file needle positions are shared with the flow rules).
            var analysis = new Analysis(handoff);
            context.RegisterCodeBlockStartAction<SyntaxKind>(block =>
            {
                if (Flow.TextPrecheck.MemberMayHandoff(block.CodeBlock))
                {
                    block.RegisterSyntaxNodeAction(analysis.AnalyzeInvocation, SyntaxKind.InvocationExpression);
                }
            });
        }

        private enum ScanResult
        {
            /// <summary>The statements neither mention the socket nor leave the block: keep reading.</summary>
            Clean,

            /// <summary>Something touches the socket, may reach it, or leaves: the detach does not directly follow.</summary>
            Stop,

            /// <summary>The detach directly follows.</summary>
            Detach,
        }

        private sealed partial class Analysis
        {
            private readonly INamedTypeSymbol _handoff;

            public Analysis(INamedTypeSymbol handoff)
            {
                _handoff = handoff;
            }

            public void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
            {
                // Cheap checks first, on syntax: only a call spelled SendAsync with a later statement of its block spelling
                // Detach/DetachAsync is bound. Echo loops and ordinary sends never get that far.
                var node = (InvocationExpressionSyntax)context.Node;
                if (node.Expression is SimpleNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax })
                {
                    // A call of a method of this type (`await SendTextAsync(…)`) whose body may hold the final send.
                    AnalyzeMemberCall(context, node);
                    return;
                }

                string? name = node.Expression switch
                {
                    MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
                    MemberBindingExpressionSyntax memberBinding => memberBinding.Name.Identifier.ValueText,
                    _ => null,
                };
                if (name != "SendAsync"
                    || !(DetachIsSpelledAfter(node) || DetachIsSpelledAroundFunction(node))
                    || context.SemanticModel.GetOperation(node, context.CancellationToken) is not IInvocationOperation send
                    || FinalSendReceiver(send) is not { } receiver)
                {
                    return;
                }

                ISymbol? socket = Identity(receiver);
                if (socket is null)
                {
                    return;
                }

                // The send is a statement of its own, the initializer of a task local (var t = ws.SendAsync(…)), or the
                // antecedent of a ContinueWith whose continuation detaches.
                IOperation top = SkipTaskWrappers(send, upward: true);
                IInvocationOperation? detach = null;
                bool fixable;
                var additionalLocations = new List<Location>();
                if (top is IExpressionStatementOperation)
                {
                    fixable = Follow(top, socket, ref detach, out bool climbed) == ScanResult.Detach && !climbed;
                }
                else if (top is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }
                    && declarator.Parent is IVariableDeclarationOperation { Declarators.Length: 1 } declaration
                    && declaration.Parent is IVariableDeclarationGroupOperation { Declarations.Length: 1 } group
                    && group.Parent is IBlockOperation or ISwitchCaseOperation)
                {
                    // A stored task may only be waited for (await t; t.Wait(); …) between the send and the detach for the
                    // fix to apply: those statements go with the declaration.
                    fixable = Follow(group, socket, ref detach, out bool climbed) == ScanResult.Detach && !climbed
                        && TaskAwaitsBetween(group, declarator.Symbol, detach!, additionalLocations);
                }
                else if (top is IInvocationOperation { TargetMethod.Name: "ContinueWith" } continuation
                    && continuation.Instance is not null
                    && SkipTaskWrappers(continuation.Instance, upward: false) == send)
                {
                    fixable = false;
                    ContinuationDetaches(continuation, socket, ref detach);
                }
                else
                {
                    // A send inside a larger expression (Task.WhenAll(ws.SendAsync(…), …), t = ws.SendAsync(…),
                    // using var t = …): only the graph below can pair it.
                    fixable = false;
                }

                if (detach is null)
                {
                    // Not on the straight path: the detach may still follow on some path (only in a branch, past an early
                    // return, after the loop, switch, catch or lock the send sits in). Never fixed mechanically.
                    detach = DetachOnSomePath(send, socket, context.CancellationToken)
                        ?? DetachAfterCallOf(send, socket, context.CancellationToken);
                    if (detach is null)
                    {
                        return;
                    }

                    fixable = false;
                }

                if (HasFlagsBesidesEndOfMessage(send))
                {
                    // SendAndDetachAsync takes no flags: merging would drop DisableCompression.
                    fixable = false;
                }

                // Fixable only when send and detach sit in one statement list (the detach possibly opening a nested block
                // or try): the send's arguments are then in scope at the detach, and nothing else runs the send.
                additionalLocations.Insert(0, detach.Syntax.GetLocation());
                ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                    .Add(Descriptors.PropertyDetachKind, detach.TargetMethod.Name);
                if (!fixable)
                {
                    properties = properties.Add(Descriptors.PropertyFixable, "false");
                    additionalLocations.RemoveRange(1, additionalLocations.Count - 1);
                }

                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.NonAtomicFinalSend,
                    send.Syntax.GetLocation(),
                    additionalLocations: additionalLocations,
                    properties: properties));
            }

            /// <summary>
            /// Reads on from the send's statement along the path it always takes when it completes normally: the rest of its
            /// statement list, then — when that list is the body of an <c>if</c>/<c>else</c>, a <c>try</c> (its
            /// <c>finally</c> included, catches are not on that path), a <c>using</c> or a plain block — the statements
            /// after that enclosing statement. <paramref name="climbed"/> says whether the detach was found past such a
            /// boundary.
            /// </summary>
            private ScanResult Follow(IOperation statement, ISymbol socket, ref IInvocationOperation? detach, out bool climbed)
            {
                climbed = false;
                IOperation current = statement;
                while (true)
                {
                    IOperation? parent = current.Parent;
                    ImmutableArray<IOperation> statements = parent switch
                    {
                        IBlockOperation block => block.Operations,
                        ISwitchCaseOperation section => section.Body,
                        _ => ImmutableArray<IOperation>.Empty,
                    };

                    int index = statements.IndexOf(current);
                    if (index >= 0)
                    {
                        ScanResult result = Scan(statements, index + 1, socket, ref detach);
                        if (result != ScanResult.Clean)
                        {
                            return result;
                        }
                    }

                    // The list ran out cleanly: where does the path go next?
                    IOperation? next = parent switch
                    {
                        IBlockOperation { Parent: IBlockOperation } block => block,
                        IBlockOperation { Parent: IConditionalOperation conditional } block when IsBranch(conditional, block) => conditional,
                        IConditionalOperation conditional when IsBranch(conditional, current) => conditional,
                        IBlockOperation { Parent: ITryOperation @try } block when @try.Body == block => @try,
                        IBlockOperation { Parent: IUsingOperation @using } block when @using.Body == block => @using,

                        // The end of a finally goes after the try when the try was entered and left normally (its body or a
                        // catch completes): on that path the statements after the try follow the send.
                        IBlockOperation { Parent: ITryOperation @try } block when @try.Finally == block && EndIsReachable(@try) => @try,
                        _ => null,
                    };

                    bool leavesFinally = next is ITryOperation left && left.Finally == parent;
                    switch (next)
                    {
                        case null:
                            return ScanResult.Clean;

                        case ITryOperation { Finally: { } @finally } when !leavesFinally:
                            ScanResult result = Scan(@finally.Operations, 0, socket, ref detach);
                            if (result != ScanResult.Clean)
                            {
                                climbed = true;
                                return result;
                            }

                            break;

                        case IUsingOperation @using when Touches(@using.Resources, socket) || DisposesMemberOf(@using.Resources, socket):
                            // The end of the using disposes the socket, or something that may reach it.
                            return ScanResult.Stop;
                    }

                    climbed = true;
                    current = next;
                }
            }

            /// <summary>Whether the end of the try statement is reachable (its body or a catch completes, and its finally).</summary>
            private static bool EndIsReachable(ITryOperation @try)
            {
                if (@try.Syntax is not StatementSyntax statement || @try.SemanticModel is not { } model)
                {
                    return false;
                }

                try
                {
                    ControlFlowAnalysis? flow = model.AnalyzeControlFlow(statement);
                    return flow is { Succeeded: true, EndPointIsReachable: true };
                }
                catch (System.ArgumentException)
                {
                    // A statement the model cannot analyse (broken code): no path is known to leave it.
                    return false;
                }
            }

            /// <summary>
            /// <c>ws.SendAsync(…).ContinueWith(_ => …)</c>: the continuation runs after a successful send (no option excludes
            /// that), and its body reaches the detach with nothing touching the socket first.
            /// </summary>
            private void ContinuationDetaches(IInvocationOperation continuation, ISymbol socket, ref IInvocationOperation? detach)
            {
                IAnonymousFunctionOperation? function = null;
                foreach (IArgumentOperation argument in continuation.Arguments)
                {
                    if (argument.Value is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                    {
                        function = lambda;
                    }
                    else if (argument.Parameter?.Type.Name == "TaskContinuationOptions"
                        && !(argument.Value.ConstantValue is { HasValue: true, Value: int options } && (options & NotOnRanToCompletion) == 0))
                    {
                        return;
                    }
                }

                IInvocationOperation? candidate = null;
                if (function is not null && Scan(function.Body.Operations, 0, socket, ref candidate) == ScanResult.Detach)
                {
                    detach = candidate;
                }
            }

            private static bool IsBranch(IConditionalOperation conditional, IOperation operation) =>
                conditional.Parent is IBlockOperation or ISwitchCaseOperation or IConditionalOperation
                && (conditional.WhenTrue == operation || conditional.WhenFalse == operation);

            /// <summary>A <c>using</c> resource of the type holding the socket field, whose Dispose may reach the field.</summary>
            private static bool DisposesMemberOf(IOperation resources, ISymbol socket) =>
                socket is not ILocalSymbol && socket is not IParameterSymbol
                && resources.DescendantsAndSelf().Any(o =>
                    o.Type is not null && SymbolEqualityComparer.Default.Equals(o.Type, socket.ContainingType));

            /// <summary>
            /// Whether every use of the stored send task is a statement that only waits for it (<c>await t;</c>,
            /// <c>t.Wait();</c>, …) between the send and the detach; those statements are added to <paramref name="locations"/>.
            /// </summary>
            private static bool TaskAwaitsBetween(IOperation declaration, ILocalSymbol task, IInvocationOperation detach, List<Location> locations)
            {
                IOperation scope = declaration.Parent ?? declaration;
                int start = declaration.Syntax.Span.End;
                int end = detach.Syntax.SpanStart;
                foreach (IOperation operation in scope.Descendants())
                {
                    if (operation is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, task))
                    {
                        continue;
                    }

                    IOperation wait = SkipTaskWrappers(reference, upward: true);
                    if (wait is not IExpressionStatementOperation
                        || wait.Syntax.SpanStart < start
                        || wait.Syntax.Span.End > end)
                    {
                        return false;
                    }

                    locations.Add(wait.Syntax.GetLocation());
                }

                return true;
            }

            /// <summary>
            /// On syntax: Detach or DetachAsync is spelled after the send in the function (method, accessor, lambda, local
            /// function, or the top-level statements) holding it, or anywhere in the outermost loop around the send (the
            /// next iteration may reach it).
            /// </summary>
            private static bool DetachIsSpelledAfter(InvocationExpressionSyntax node)
            {
                SyntaxNode? function = null;
                SyntaxNode? loop = null;
                for (SyntaxNode? current = node.Parent; current is not null; current = current.Parent)
                {
                    if (current is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax
                        or AccessorDeclarationSyntax or CompilationUnitSyntax)
                    {
                        function = current;
                        break;
                    }

                    if (current is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
                    {
                        loop = current;
                    }
                }

                if (function is null || node.Span.End >= function.Span.End)
                {
                    return false;
                }

                int start = loop is null ? node.Span.End : loop.SpanStart;
                foreach (SyntaxToken token in function.DescendantTokens(TextSpan.FromBounds(start, function.Span.End)))
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken) && token.ValueText is "DetachAsync" or "Detach")
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>The HandoffWebSocket a final <c>SendAsync</c> (EndOfMessage) is called on, or null for any other call.</summary>
            private IOperation? FinalSendReceiver(IInvocationOperation send) =>
                send.TargetMethod.Name == "SendAsync"
                && send.Instance is { } receiver
                && SymbolEqualityComparer.Default.Equals(receiver.Type, _handoff)
                && IsEndOfMessage(send)
                    ? receiver
                    : null;

            /// <summary>The message flags include more than EndOfMessage (<c>DisableCompression</c>), which SendAndDetachAsync cannot pass.</summary>
            private static bool HasFlagsBesidesEndOfMessage(IInvocationOperation send)
                => EndOfMessageArgument(send) is { Parameter.Type.TypeKind: TypeKind.Enum } flags
                    && flags.Value.ConstantValue is { HasValue: true, Value: int value } && (value & ~EndOfMessageFlag) != 0;

            /// <summary><c>endOfMessage</c> is the constant <c>true</c>, or the message flags constantly include EndOfMessage.</summary>
            private static bool IsEndOfMessage(IInvocationOperation send)
                => EndOfMessageArgument(send)?.Value.ConstantValue is { HasValue: true } value
                    && (value.Value is true || (value.Value is int flags && (flags & EndOfMessageFlag) != 0));

            /// <summary>The send's argument that says whether the message ends: <c>bool endOfMessage</c> or its <c>WebSocketMessageFlags</c>.</summary>
            private static IArgumentOperation? EndOfMessageArgument(IInvocationOperation send)
            {
                foreach (IArgumentOperation argument in send.Arguments)
                {
                    if (argument.Parameter is { } parameter
                        && ((parameter.Type.SpecialType == SpecialType.System_Boolean && parameter.Name == "endOfMessage")
                            || (parameter.Type.TypeKind == TypeKind.Enum && parameter.Type.Name == "WebSocketMessageFlags")))
                    {
                        return argument;
                    }
                }

                return null;
            }

            private ScanResult Scan(ImmutableArray<IOperation> statements, int start, ISymbol socket, ref IInvocationOperation? detach)
            {
                for (int i = start; i < statements.Length; i++)
                {
                    IOperation statement = statements[i];
                    IInvocationOperation? candidate = DetachIn(statement, socket);
                    if (candidate is not null)
                    {
                        detach = candidate;
                        return ScanResult.Detach;
                    }

                    ScanResult nested = ScanResult.Clean;
                    switch (statement)
                    {
                        case IBlockOperation inner:
                            nested = Scan(inner.Operations, 0, socket, ref detach);
                            break;

                        case ITryOperation @try:
                            nested = Scan(@try.Body.Operations, 0, socket, ref detach);
                            if (nested == ScanResult.Clean && Touches(statement, socket))
                            {
                                // The body is clean but a catch or finally mentions the socket.
                                return ScanResult.Stop;
                            }

                            break;

                        default:
                            if (Touches(statement, socket))
                            {
                                return ScanResult.Stop;
                            }

                            break;
                    }

                    if (nested != ScanResult.Clean)
                    {
                        return nested;
                    }
                }

                return ScanResult.Clean;
            }

            /// <summary>The detach when the statement is one (<c>await ws.DetachAsync(ct);</c>, <c>var raw = ws.Detach();</c>, <c>return …;</c>).</summary>
            private IInvocationOperation? DetachIn(IOperation statement, ISymbol socket)
            {
                IOperation? value = statement switch
                {
                    IExpressionStatementOperation { Operation: ISimpleAssignmentOperation assignment } => assignment.Value,
                    IExpressionStatementOperation expression => expression.Operation,
                    IVariableDeclarationGroupOperation group => SingleInitializer(group),
                    IUsingDeclarationOperation usingDeclaration => SingleInitializer(usingDeclaration.DeclarationGroup),
                    IUsingOperation { Resources: IVariableDeclarationGroupOperation resources } => SingleInitializer(resources),
                    IReturnOperation @return => @return.ReturnedValue,
                    _ => null,
                };

                if (value is null)
                {
                    return null;
                }

                value = SkipTaskWrappers(value, upward: false);
                if (value is IInvocationOperation invocation
                    && (invocation.TargetMethod.Name == "DetachAsync" || invocation.TargetMethod.Name == "Detach")
                    && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, _handoff)
                    && invocation.Instance is not null
                    && SymbolEqualityComparer.Default.Equals(Identity(invocation.Instance), socket))
                {
                    return invocation;
                }

                return null;
            }

            private static IOperation? SingleInitializer(IVariableDeclarationGroupOperation group)
            {
                if (group.Declarations.Length != 1)
                {
                    return null;
                }

                IVariableDeclarationOperation declaration = group.Declarations[0];
                if (declaration.Declarators.Length != 1)
                {
                    return null;
                }

                return declaration.Declarators[0].Initializer?.Value ?? declaration.Initializer?.Value;
            }

            /// <summary>
            /// Whether the statement mentions the socket other than to read a property, may reach it through a call
            /// (a local function, a delegate, a member of the type holding the socket field), or leaves the block.
            /// </summary>
            private static bool Touches(IOperation statement, ISymbol socket)
            {
                foreach (IOperation operation in statement.DescendantsAndSelf())
                {
                    switch (operation)
                    {
                        case IBranchOperation:
                        case IReturnOperation:
                        case IThrowOperation:
                            return true;

                        case IInvocationOperation invocation:
                            IMethodSymbol method = invocation.TargetMethod;
                            if (method.MethodKind == MethodKind.LocalFunction
                                || method.MethodKind == MethodKind.DelegateInvoke
                                || (socket is not ILocalSymbol && socket is not IParameterSymbol
                                    && SymbolEqualityComparer.Default.Equals(method.ContainingType, socket.ContainingType)))
                            {
                                return true;
                            }

                            break;

                        case ILocalReferenceOperation:
                        case IParameterReferenceOperation:
                        case IFieldReferenceOperation:
                        case IPropertyReferenceOperation:
                            if (SymbolEqualityComparer.Default.Equals(Identity(operation), socket)
                                && !(operation.Parent is IPropertyReferenceOperation property && property.Instance == operation))
                            {
                                return true;
                            }

                            break;
                    }
                }

                return false;
            }

            /// <summary>The symbol that names one socket instance: a local, a parameter, or a field/property of this type or static.</summary>
            private static ISymbol? Identity(IOperation operation)
            {
                while (operation is IConversionOperation conversion)
                {
                    operation = conversion.Operand;
                }

                switch (operation)
                {
                    case ILocalReferenceOperation local:
                        return local.Local;
                    case IParameterReferenceOperation parameter:
                        return parameter.Parameter;
                    case IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation:
                        return field.Field;
                    case IPropertyReferenceOperation property when property.Arguments.IsEmpty && property.Instance is null or IInstanceReferenceOperation:
                        return property.Property;
                    default:
                        return null;
                }
            }

            /// <summary>
            /// Steps over what turns a task into a statement: <c>await</c>, conversions, <c>ConfigureAwait</c>, <c>AsTask</c>,
            /// <c>GetAwaiter().GetResult()</c>, <c>Wait()</c>, and (upward) a discard <c>_ = …</c>. Upward from the send to its statement, or downward from a value to the call.
            /// </summary>
            private static IOperation SkipTaskWrappers(IOperation operation, bool upward)
            {
                if (upward)
                {
                    IOperation current = operation;
                    while (current.Parent is { } parent)
                    {
                        if (parent is IAwaitOperation || parent is IConversionOperation
                            || (parent is IInvocationOperation wrapper && wrapper.Instance == current && IsTaskWrapper(wrapper.TargetMethod))
                            || (parent is ISimpleAssignmentOperation { Target: IDiscardOperation } discard && discard.Value == current))
                        {
                            current = parent;
                            continue;
                        }

                        return parent;
                    }

                    return current;
                }

                while (true)
                {
                    switch (operation)
                    {
                        case IAwaitOperation await:
                            operation = await.Operation;
                            continue;
                        case IConversionOperation conversion:
                            operation = conversion.Operand;
                            continue;
                        case IInvocationOperation wrapper when wrapper.Instance is not null && IsTaskWrapper(wrapper.TargetMethod):
                            operation = wrapper.Instance;
                            continue;
                        default:
                            return operation;
                    }
                }
            }

            private static bool IsTaskWrapper(IMethodSymbol method) =>
                method.Name is "ConfigureAwait" or "AsTask" or "GetAwaiter" or "GetResult" or "Wait";
        }
    }
}
