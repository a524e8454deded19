using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// Turns the operations of a control-flow block into <see cref="FlowEvent"/>s, in evaluation order
    /// (operands before the operation that uses them).
    /// </summary>
    internal sealed class EventClassifier
    {
        private readonly TypeFlowContext _context;
        private readonly FlowGraph _graph;
        private readonly HandoffTypes _types;

        public EventClassifier(TypeFlowContext context, FlowGraph graph)
        {
            _context = context;
            _graph = graph;
            _types = context.Types;
        }

        // Reused by every Collect of this graph: a graph has thousands of operations, and a fresh stack and child list
        // per operation were most of the classifier's allocations.
        private readonly Stack<KeyValuePair<IOperation, bool>> _stack = new Stack<KeyValuePair<IOperation, bool>>();
        private readonly List<IOperation> _children = new List<IOperation>();

        public void Collect(IOperation root, List<FlowEvent> events)
        {
            // Post-order: an invocation happens after its receiver and arguments are evaluated.
            var stack = _stack;
            stack.Clear();
            stack.Push(new KeyValuePair<IOperation, bool>(root, false));
            while (stack.Count > 0)
            {
                var item = stack.Pop();
                if (item.Value)
                {
                    Classify(item.Key, events);
                    continue;
                }

                stack.Push(new KeyValuePair<IOperation, bool>(item.Key, true));
                _children.Clear();
                foreach (var child in item.Key.ChildOperations)
                {
                    _children.Add(child);
                }

                for (var i = _children.Count - 1; i >= 0; i--)
                {
                    stack.Push(new KeyValuePair<IOperation, bool>(_children[i], false));
                }
            }
        }

        public void CollectReturn(IOperation returnedValue)
        {
            var key = RefKey.Of(returnedValue, _graph.Captures);
            if (key != null)
            {
                _graph.Escapes.Add(key);
            }
        }

        private void Classify(IOperation operation, List<FlowEvent> events)
        {
            switch (operation)
            {
                case IInvocationOperation invocation:
                    ClassifyInvocation(invocation, events);
                    break;
                case IObjectCreationOperation creation:
                    ClassifyObjectCreation(creation, events);
                    break;
                case ISimpleAssignmentOperation assignment:
                    ClassifyAssignment(assignment, events);
                    break;
                case IIsPatternOperation { Pattern: IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol local } } isPattern
                    when _types.IsWebSocket(Unwrap(isPattern.Value)?.Type):
                    var original = RefKey.Of(isPattern.Value, _graph.Captures);
                    if (original != null)
                    {
                        _graph.WebSocketAliases.Add(new KeyValuePair<RefKey, RefKey>(new RefKey(local, null), original));
                    }

                    break;
                case ILocalReferenceOperation localReference when IsAwaited(localReference):
                    events.Add(new FlowEvent(FlowEventKind.TaskAwaited, operation) { Key = new RefKey(localReference.Local, null) });
                    break;
                case IReturnOperation { ReturnedValue: { } returned }:
                    CollectReturn(returned);
                    break;
                case IFlowAnonymousFunctionOperation:
                    var lambda = new FlowEvent(FlowEventKind.Closure, operation) { ClosureIsDeferred = true };
                    events.Add(lambda);
                    _graph.LambdaEvents.Add(lambda);
                    break;
                case IMethodReferenceOperation { Method: { MethodKind: MethodKind.LocalFunction } method }:
                    events.Add(new FlowEvent(FlowEventKind.Closure, operation) { Callee = method, ClosureIsDeferred = true });
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref, Value: ILocalReferenceOperation written }:
                    _graph.LocalsWrittenOtherwise.Add(written.Local);
                    break;
                case IDeconstructionAssignmentOperation deconstruction:
                    AddLocalsWrittenOtherwise(deconstruction.Target);
                    break;
                case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol declared, Parent: IIsPatternOperation tested }
                    when !_types.IsWebSocket(Unwrap(tested.Value)?.Type) && Unwrap(tested.Value) is { } testedValue:
                    // `stream is NetworkStream ns`: ns holds the tested value (a copy of it when it is a root).
                    _graph.Assignments.Add(new KeyValuePair<RefKey, IOperation>(new RefKey(declared, null), testedValue));
                    break;
                case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol declared }:
                    _graph.LocalsWrittenOtherwise.Add(declared);
                    break;
                case IRecursivePatternOperation { DeclaredSymbol: ILocalSymbol declared }:
                    _graph.LocalsWrittenOtherwise.Add(declared);
                    break;
            }
        }

        private void AddLocalsWrittenOtherwise(IOperation target)
        {
            if (target is ILocalReferenceOperation local)
            {
                _graph.LocalsWrittenOtherwise.Add(local.Local);
                return;
            }

            foreach (var child in target.ChildOperations)
            {
                AddLocalsWrittenOtherwise(child);
            }
        }

        private void ClassifyInvocation(IInvocationOperation invocation, List<FlowEvent> events)
        {
            var method = invocation.TargetMethod;
            if (method == null)
            {
                return;
            }

            if (method.MethodKind == MethodKind.LocalFunction)
            {
                events.Add(new FlowEvent(FlowEventKind.Closure, invocation) { Callee = method, ClosureIsDeferred = false });
                return;
            }

            if (method.MethodKind == MethodKind.DelegateInvoke && Unwrap(invocation.Instance) is ILocalReferenceOperation delegateLocal)
            {
                // `await sw();` of a local holding a lambda: the lambda runs here (see FlowGraph.ResolveDelegate).
                events.Add(new FlowEvent(FlowEventKind.Closure, invocation) { DelegateLocal = delegateLocal.Local, ClosureIsDeferred = false });
                return;
            }

            var name = method.Name;
            var containingType = method.ContainingType;

            if (name == "CreateFromStream" && method.IsStatic && _types.IsCreationType(containingType))
            {
                events.Add(new FlowEvent(FlowEventKind.Creation, invocation)
                {
                    Key = AssignmentTarget(invocation),
                    Transport = FirstArgument(invocation),
                });
                return;
            }

            var receiver = Unwrap(invocation.Instance);
            if (method.IsExtensionMethod && invocation.Instance == null && invocation.Arguments.Length > 0)
            {
                receiver = Unwrap(ArgumentAt(invocation, 0));
            }

            var receiverType = receiver?.Type ?? containingType;

            if (receiver != null && _types.IsWebSocket(receiverType))
            {
                var key = RefKey.Of(receiver, _graph.Captures);
                switch (name)
                {
                    case "DetachAsync":
                    case "SendAndDetachAsync":
                    case "Detach":
                        if (_types.IsHandoff(containingType))
                        {
                            events.Add(new FlowEvent(FlowEventKind.Detach, invocation) { Key = key });
                        }

                        return;
                    case "CloseAsync":
                    case "CloseOutputAsync":
                        events.Add(new FlowEvent(FlowEventKind.Close, invocation) { Key = key, CloseKind = "Close" });
                        return;
                    case "Dispose":
                        events.Add(new FlowEvent(FlowEventKind.Close, invocation) { Key = key, CloseKind = invocation.IsImplicit ? "Using" : "Dispose" });
                        return;
                    case "Abort":
                        events.Add(new FlowEvent(FlowEventKind.Close, invocation) { Key = key, CloseKind = "Abort" });
                        return;
                    case "SendAsync":
                    case "ReceiveAsync":
                        events.Add(new FlowEvent(FlowEventKind.SendReceive, invocation) { Key = key });
                        return;
                }
            }

            if (receiver != null && _types.IsStream(receiverType) && IsStreamIo(name))
            {
                AddRawUse(invocation, receiver, events);
                if (name.StartsWith("CopyTo", StringComparison.Ordinal))
                {
                    var destination = Unwrap(ArgumentAt(invocation, method.IsExtensionMethod ? 1 : 0));
                    if (destination != null && _types.IsStream(destination.Type))
                    {
                        AddRawUse(invocation, destination, events);
                    }
                }

                return;
            }

            if (receiver != null && _types.IsSocket(receiverType)
                && (name.StartsWith("Send", StringComparison.Ordinal) || name.StartsWith("Receive", StringComparison.Ordinal)))
            {
                AddRawUse(invocation, receiver, events);
                return;
            }

            if (name == "Create" && method.IsStatic && invocation.Arguments.Length > 0
                && (SymbolEqualityComparer.Default.Equals(containingType, _types.PipeReader)
                    || SymbolEqualityComparer.Default.Equals(containingType, _types.PipeWriter)))
            {
                var stream = Unwrap(ArgumentAt(invocation, 0));
                if (stream != null && _types.IsStream(stream.Type))
                {
                    AddRawUse(invocation, stream, events);
                }

                return;
            }

            AddHelperDetaches(invocation, method, events);

            if (method.MethodKind == MethodKind.Ordinary
                && _context.ContainingType != null
                && SymbolEqualityComparer.Default.Equals(containingType?.OriginalDefinition, _context.ContainingType.OriginalDefinition)
                && (invocation.Instance == null || invocation.Instance is IInstanceReferenceOperation))
            {
                events.Add(new FlowEvent(FlowEventKind.MemberCall, invocation) { Callee = method.OriginalDefinition });
            }

            CollectEscapingArguments(method, invocation.Arguments);
        }

        /// <summary>
        /// A method in source whose body detaches a HandoffWebSocket parameter before anything that can leave it
        /// (<c>return</c>, <c>throw</c>, <c>goto</c>, <c>break</c>, <c>continue</c>) and outside any branch, loop or <c>try</c>:
        /// calling it detaches the WebSocket passed there (<c>await SwitchAsync(ws, ct);</c>).
        /// </summary>
        private void AddHelperDetaches(IInvocationOperation invocation, IMethodSymbol method, List<FlowEvent> events)
        {
            if (method.MethodKind != MethodKind.Ordinary
                || method.IsAbstract
                || ((method.IsVirtual || method.IsOverride) && !method.IsSealed && !method.ContainingType.IsSealed)
                || IsBcl(method))
            {
                return;
            }

            var definition = method.OriginalDefinition;
            if (_context.ContainingType != null
                && SymbolEqualityComparer.Default.Equals(definition.ContainingType, _context.ContainingType.OriginalDefinition)
                && (invocation.Instance == null || invocation.Instance is IInstanceReferenceOperation))
            {
                // A method of this type that detaches a HandoffWebSocket field or property of it (`Task<Stream> UpgradeAsync() => _ws.DetachAsync();`).
                foreach (var field in _context.FieldsDetachedBy(definition))
                {
                    events.Add(new FlowEvent(FlowEventKind.Detach, invocation) { Key = new RefKey(field, null) });
                }
            }

            if (invocation.Arguments.IsEmpty)
            {
                return;
            }

            foreach (var parameter in definition.Parameters)
            {
                if (!_types.IsHandoff(parameter.Type))
                {
                    continue;
                }

                foreach (var reference in definition.DeclaringSyntaxReferences)
                {
                    if (!(reference.GetSyntax(_context.CancellationToken) is MethodDeclarationSyntax declaration)
                        || !DetachesFirst(declaration, parameter.Name))
                    {
                        continue;
                    }

                    var key = RefKey.Of(ArgumentAt(invocation, parameter.Ordinal), _graph.Captures);
                    if (key != null)
                    {
                        events.Add(new FlowEvent(FlowEventKind.Detach, invocation) { Key = key });
                    }

                    break;
                }
            }
        }

        /// <summary>
        /// The HandoffWebSocket fields and properties of <paramref name="method"/>'s type that its body detaches first (see
        /// <see cref="DetachesFirst"/>), named by their simple name with no parameter or local of that name in the method.
        /// </summary>
        internal static List<ISymbol> FieldsDetachedBy(IMethodSymbol method, HandoffTypes types, System.Threading.CancellationToken cancellationToken)
        {
            var result = new List<ISymbol>();
            if (method.MethodKind != MethodKind.Ordinary || method.ContainingType == null)
            {
                return result;
            }

            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (!(reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax declaration) || !TextPrecheck.MemberMayHandoff(declaration))
                {
                    continue;
                }

                foreach (var member in method.ContainingType.GetMembers())
                {
                    var type = member switch
                    {
                        IFieldSymbol field => field.Type,
                        IPropertySymbol property => property.Type,
                        _ => null,
                    };
                    // `this._ws.DetachAsync(…)` names the field also where a local or parameter of that name hides it;
                    // the plain name counts only where nothing hides it.
                    if (type == null || !types.IsHandoff(type) || (method.IsStatic && !member.IsStatic)
                        || !DetachesFirst(declaration, member.Name, member.IsStatic ? DetachReceiver.Simple : DeclaresName(declaration, member.Name) ? DetachReceiver.ThisOnly : DetachReceiver.SimpleOrThis))
                    {
                        continue;
                    }

                    result.Add(member);
                }
            }

            return result;
        }

        /// <summary>Does the method declare a parameter or local (its lambdas' included) of this name?</summary>
        private static bool DeclaresName(MethodDeclarationSyntax declaration, string name)
        {
            foreach (var node in declaration.DescendantNodesAndSelf())
            {
                var declared = node switch
                {
                    ParameterSyntax parameter => parameter.Identifier.ValueText,
                    VariableDeclaratorSyntax declarator => declarator.Identifier.ValueText,
                    SingleVariableDesignationSyntax designation => designation.Identifier.ValueText,
                    ForEachStatementSyntax forEach => forEach.Identifier.ValueText,
                    CatchDeclarationSyntax catchDeclaration => catchDeclaration.Identifier.ValueText,
                    LocalFunctionStatementSyntax localFunction => localFunction.Identifier.ValueText,
                    _ => null,
                };
                if (declared == name)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>How the detached WebSocket may be spelled at the detach: a parameter by its name; a field also as <c>this.name</c>.</summary>
        internal enum DetachReceiver
        {
            Simple,
            SimpleOrThis,
            ThisOnly,
        }

        internal static bool DetachesFirst(MethodDeclarationSyntax declaration, string parameter, DetachReceiver spelling = DetachReceiver.Simple)
        {
            if (declaration.ExpressionBody != null)
            {
                return IsDetachOf(declaration.ExpressionBody.Expression, parameter, spelling);
            }

            if (declaration.Body == null)
            {
                return false;
            }

            foreach (var statement in declaration.Body.Statements)
            {
                ExpressionSyntax? expression = statement switch
                {
                    ExpressionStatementSyntax e => e.Expression,
                    ReturnStatementSyntax r => r.Expression,
                    LocalDeclarationStatementSyntax { Declaration.Variables.Count: 1 } d => d.Declaration.Variables[0].Initializer?.Value,
                    _ => null,
                };

                if (expression != null && IsDetachOf(expression, parameter, spelling))
                {
                    return true;
                }

                if (statement is LocalFunctionStatementSyntax)
                {
                    continue;
                }

                foreach (var node in statement.DescendantNodesAndSelf(n => !(n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax)))
                {
                    if (node is ReturnStatementSyntax || node is ThrowStatementSyntax || node is ThrowExpressionSyntax
                        || node is GotoStatementSyntax || node is YieldStatementSyntax || node is BreakStatementSyntax || node is ContinueStatementSyntax)
                    {
                        return false;
                    }
                }
            }

            return false;
        }

        /// <summary><c>p.DetachAsync(…)</c>, <c>p.SendAndDetachAsync(…)</c>, <c>p.Detach()</c>, awaited or not, through <c>ConfigureAwait</c>/<c>AsTask</c>.</summary>
        private static bool IsDetachOf(ExpressionSyntax expression, string parameter, DetachReceiver spelling)
        {
            for (var depth = 0; depth < 8; depth++)
            {
                switch (expression)
                {
                    case AwaitExpressionSyntax awaitExpression:
                        expression = awaitExpression.Expression;
                        continue;
                    case ParenthesizedExpressionSyntax parenthesized:
                        expression = parenthesized.Expression;
                        continue;
                    case AssignmentExpressionSyntax assignment:
                        expression = assignment.Right;
                        continue;
                    case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" or "AsTask" } configure }:
                        expression = configure.Expression;
                        continue;
                    case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member }:
                        // `ws.DetachAsync(…)`, also `ws!.DetachAsync(…)` (a nullable field).
                        var receiver = member.Expression is PostfixUnaryExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.SuppressNullableWarningExpression } suppressed
                            ? suppressed.Operand
                            : member.Expression;
                        // `this.ws.DetachAsync(…)` for a field (`this.ws!` too).
                        if (spelling != DetachReceiver.Simple
                            && receiver is MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax ofThis })
                        {
                            return ofThis.Identifier.ValueText == parameter && TextPrecheck.IsDetachName(member.Name.Identifier.ValueText);
                        }

                        return spelling != DetachReceiver.ThisOnly
                            && receiver is IdentifierNameSyntax identifier
                            && identifier.Identifier.ValueText == parameter
                            && TextPrecheck.IsDetachName(member.Name.Identifier.ValueText);
                    default:
                        return false;
                }
            }

            return false;
        }

        private void ClassifyObjectCreation(IObjectCreationOperation creation, List<FlowEvent> events)
        {
            if (_types.IsIoWrapper(creation.Type))
            {
                foreach (var argument in creation.Arguments)
                {
                    var value = Unwrap(argument.Value);
                    if (value != null && _types.IsStream(value.Type))
                    {
                        AddRawUse(creation, value, events);
                        return;
                    }
                }

                return;
            }

            if (creation.Constructor != null)
            {
                CollectEscapingArguments(creation.Constructor, creation.Arguments);
            }
        }

        private void ClassifyAssignment(ISimpleAssignmentOperation assignment, List<FlowEvent> events)
        {
            var target = RefKey.Of(assignment.Target, _graph.Captures);
            if (target == null)
            {
                return;
            }

            var value = Unwrap(assignment.Value);
            if (value != null)
            {
                _graph.Assignments.Add(new KeyValuePair<RefKey, IOperation>(target, value));
            }

            if (target.IsLocal && target.Symbol is ILocalSymbol delegateLocal && delegateLocal.Type?.TypeKind == TypeKind.Delegate)
            {
                var lambda = value is IDelegateCreationOperation delegateCreation ? Unwrap(delegateCreation.Target) : null;
                FlowEvent? lambdaEvent = null;
                for (var i = _graph.LambdaEvents.Count - 1; i >= 0 && lambda != null; i--)
                {
                    if (_graph.LambdaEvents[i].Operation == lambda)
                    {
                        lambdaEvent = _graph.LambdaEvents[i];
                        break;
                    }
                }

                _graph.DelegateLocals[delegateLocal] = _graph.DelegateLocals.ContainsKey(delegateLocal) ? null : lambdaEvent;
            }

            if (!(value is IInvocationOperation invocation && invocation.TargetMethod?.Name == "CreateFromStream"))
            {
                var aliasOf = value != null && _types.IsWebSocket(value.Type) ? RefKey.Of(value, _graph.Captures) : null;
                if (aliasOf != null)
                {
                    _graph.WebSocketAliases.Add(new KeyValuePair<RefKey, RefKey>(target, aliasOf));
                }

                events.Add(new FlowEvent(FlowEventKind.Assign, assignment) { Key = target, AliasOf = aliasOf });
            }

            // A transport stored in a field or property outlives the method.
            if (!target.IsLocal && !(target.Symbol is IParameterSymbol))
            {
                var stored = RefKey.Of(value, _graph.Captures);
                if (stored != null)
                {
                    _graph.Escapes.Add(stored);
                }
            }
        }

        private void AddRawUse(IOperation use, IOperation root, List<FlowEvent> events)
        {
            var key = RefKey.Of(root, _graph.Captures);
            if (key == null)
            {
                return;
            }

            events.Add(new FlowEvent(FlowEventKind.RawUse, use)
            {
                RootOperation = root,
                RootKey = key,
                MayStillRun = IsStartedNotAwaited(use),
                TaskStoredIn = StoredIn(use),
            });
        }

        /// <summary>Arguments handed to code outside the BCL may be kept and used after this method returns.</summary>
        private void CollectEscapingArguments(IMethodSymbol method, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments)
        {
            if (arguments.IsEmpty || IsBcl(method))
            {
                return;
            }

            foreach (var argument in arguments)
            {
                var key = RefKey.Of(argument.Value, _graph.Captures);
                if (key != null && (_types.IsStream(argument.Value.Type) || _types.IsSocket(argument.Value.Type) || _types.IsStream(Unwrap(argument.Value)?.Type)))
                {
                    _graph.Escapes.Add(key);
                }
            }
        }

        private static bool IsBcl(IMethodSymbol method)
        {
            var ns = method.ContainingNamespace;
            while (ns != null && !ns.IsGlobalNamespace && !ns.ContainingNamespace.IsGlobalNamespace)
            {
                ns = ns.ContainingNamespace;
            }

            return ns != null && (ns.Name == "System" || ns.Name == "Microsoft");
        }

        private static bool IsStreamIo(string name) =>
            name.StartsWith("Read", StringComparison.Ordinal)
            || name.StartsWith("Write", StringComparison.Ordinal)
            || name.StartsWith("Flush", StringComparison.Ordinal)
            || name.StartsWith("CopyTo", StringComparison.Ordinal)
            || name == "BeginRead"
            || name == "BeginWrite";

        private static bool IsStartedNotAwaited(IOperation use)
        {
            if (use is IInvocationOperation invocation)
            {
                var name = invocation.TargetMethod.Name;
                if (name == "BeginRead" || name == "BeginWrite")
                {
                    return true;
                }

                var returnType = invocation.TargetMethod.ReturnType;
                if (returnType == null || (returnType.Name != "Task" && returnType.Name != "ValueTask"))
                {
                    return false;
                }

                return !IsAwaited(invocation);
            }

            return false;
        }

        /// <summary>
        /// Has the task this operation produces completed by the next statement? Awaited (through conversions and
        /// <c>ConfigureAwait</c>), waited for synchronously (<c>.Wait()</c>, <c>.GetAwaiter().GetResult()</c>, <c>.Result</c>), or one of
        /// the tasks of an awaited <c>Task.WhenAll</c>. (<c>Task.WhenAny</c> leaves the others running.)
        /// </summary>
        internal static bool IsAwaited(IOperation operation)
        {
            var current = operation;
            var parent = current.Parent;
            for (var depth = 0; parent != null && depth < 16; depth++)
            {
                switch (parent)
                {
                    case IConversionOperation:
                    case IParenthesizedOperation:
                    case IArgumentOperation:
                    case IArrayInitializerOperation:
                    case IArrayCreationOperation:
                        if (parent is IArgumentOperation && !(parent.Parent is IInvocationOperation { TargetMethod.Name: "WhenAll" }))
                        {
                            return false;
                        }

                        current = parent;
                        parent = parent.Parent;
                        continue;
                    case IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "GetAwaiter" } chained when chained.Instance == current:
                        current = parent;
                        parent = parent.Parent;
                        continue;
                    case IInvocationOperation { TargetMethod.Name: "Wait" or "GetResult" } wait when wait.Instance == current:
                        return true;
                    case IPropertyReferenceOperation { Property.Name: "Result" } result when result.Instance == current:
                        return true;
                    case IInvocationOperation { TargetMethod.Name: "WhenAll" } whenAll when current is IArgumentOperation:
                        current = whenAll;
                        parent = whenAll.Parent;
                        continue;
                    case IAwaitOperation:
                        return true;
                    default:
                        return false;
                }
            }

            return false;
        }

        internal static ILocalSymbol? StoredIn(IOperation use)
        {
            var parent = use.Parent;
            while (parent is IConversionOperation || parent is IParenthesizedOperation)
            {
                parent = parent.Parent;
            }

            return parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } ? target.Local : null;
        }

        private RefKey? AssignmentTarget(IOperation creation)
        {
            var current = creation;
            var parent = creation.Parent;
            while (parent is IConversionOperation || parent is IParenthesizedOperation)
            {
                current = parent;
                parent = parent.Parent;
            }

            return parent is ISimpleAssignmentOperation assignment && assignment.Value == current
                ? RefKey.Of(assignment.Target, _graph.Captures)
                : null;
        }

        private static IOperation? FirstArgument(IInvocationOperation invocation) => Unwrap(ArgumentAt(invocation, 0));

        private static IOperation? ArgumentAt(IInvocationOperation invocation, int ordinal)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == ordinal)
                {
                    return argument.Value;
                }
            }

            return null;
        }

        internal static IOperation? Unwrap(IOperation? operation)
        {
            while (operation is IConversionOperation || operation is IParenthesizedOperation)
            {
                operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
            }

            return operation;
        }

        /// <summary>The <c>using</c> keyword of the statement or declaration an implicit Dispose belongs to.</summary>
        internal static SyntaxToken? UsingKeywordOf(SyntaxNode node)
        {
            for (var current = node; current != null; current = current.Parent)
            {
                switch (current)
                {
                    case UsingStatementSyntax usingStatement:
                        return usingStatement.UsingKeyword;
                    case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 } declaration:
                        return declaration.UsingKeyword;
                    case StatementSyntax:
                    case MemberDeclarationSyntax:
                        return null;
                }
            }

            return null;
        }
    }
}
