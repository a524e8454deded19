using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// Settles, from the member's operation tree alone, that the flow analysis of a member could find nothing to
    /// report, so that no control-flow graph is built for it.
    /// <para>
    /// Why: building the graph and classifying its operations was most of what the flow rules cost, and most members
    /// that create or detach a WebSocket are the ordinary kind — a handshake, then the WebSocket, and the transport never
    /// named again; or a detach, and the WebSocket never named again. Every finding of the flow analysis needs a later
    /// mention: a raw use names a root of the transport after the creation (WSH001, WSH003, and the WSH002 cases after a
    /// raw use), and a send, receive or close after a detach names the detached WebSocket or a copy of it (WSH005,
    /// WSH002). The screen proves that no such mention can run after the creation or detach on any path, with
    /// the source order standing in for the order of execution where it is exact: no <c>goto</c>, the mention before the
    /// creation or detach, outside any loop around both, and not in a lambda or local function (which can run later).
    /// </para>
    /// <para>
    /// It is conservative: anything it cannot settle (a transport held in a field, which the analysis follows into the
    /// type's other members; a creation or detach inside a lambda; a mention after) goes to the full analysis, whose
    /// answer is the same as before. It names what it follows by symbol, not by text, so it sees through <c>this.</c>,
    /// aliases and shadowing as the analysis does.
    /// </para>
    /// </summary>
    internal static class QuietMemberScreen
    {
        [System.ThreadStatic]
        private static Walk? t_walk;

        public static bool IsQuiet(IOperation root, HandoffTypes types)
        {
            // One walk per thread, cleared and reused: the screen runs for every member that names a creation or a detach,
            // and growing fresh lists each time made it one of the analyzers' largest allocators (and so a large share of
            // the collections the compiler's own allocations then trigger inside analyzer time).
            var walk = t_walk ??= new Walk();
            walk.Reset(types);
            try
            {
                return walk.Run(root) && AllQuiet(walk);
            }
            finally
            {
                // Keep the capacity, not the operations (nor, through them, the compilation).
                walk.Reset(null);
            }
        }

        private static bool AllQuiet(Walk walk)
        {
            foreach (var creation in walk.Creations)
            {
                if (!CreationIsQuiet(walk, creation))
                {
                    return false;
                }
            }

            foreach (var (detach, handed) in walk.Detaches)
            {
                if (!DetachIsQuiet(walk, detach, handed))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool CreationIsQuiet(Walk walk, IInvocationOperation creation)
        {
            if (walk.IsInClosure(creation))
            {
                return false;
            }

            IOperation? transport = null;
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter?.Ordinal == 0)
                {
                    transport = argument.Value;
                }
            }

            if (transport == null)
            {
                return false;
            }

            // The roots: what the transport names, and what was assigned to those (what they wrap), to a fixed point.
            var roots = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            if (!walk.AddRootsOf(transport, roots))
            {
                return false;
            }

            var followed = new HashSet<Assignment>();
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var assignment in walk.Assignments)
                {
                    var targetIsRoot = false;
                    foreach (var target in assignment.Targets)
                    {
                        targetIsRoot |= roots.Contains(target);
                    }

                    if (targetIsRoot && followed.Add(assignment))
                    {
                        var before = roots.Count;
                        if (!walk.AddRootsOf(assignment.Value, roots))
                        {
                            return false;
                        }

                        changed |= roots.Count != before;
                    }
                    else if (!targetIsRoot && Walk.IsCopyOf(assignment.Value, roots))
                    {
                        // A copy of a root (`var s2 = stream;`, `var socket = stream.Socket;`): the analysis follows it.
                        foreach (var target in assignment.Targets)
                        {
                            changed |= roots.Add(target);
                        }
                    }
                }
            }

            // A root stored in anything but a local (`_stream = stream`): the analysis follows it into other members.
            foreach (var assignment in walk.Assignments)
            {
                if (assignment.HasNonLocalTarget && walk.Mentions(assignment.Value, roots))
                {
                    return false;
                }
            }

            var transportSpan = transport.Syntax.Span;
            foreach (var mention in walk.AllMentions)
            {
                if (roots.Contains(mention.Symbol)
                    && !transportSpan.Contains(mention.Span)
                    && !walk.RunsOnlyBefore(mention, creation.Syntax.Span))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool DetachIsQuiet(Walk walk, IInvocationOperation detach, IOperation? handed)
        {
            if (walk.IsInClosure(detach))
            {
                return false;
            }

            // The detached WebSocket: the receiver, or the HandoffWebSocket handed to a helper that may detach it.
            var webSocket = EventClassifier.Unwrap(handed ?? detach.Instance);
            var detached = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var symbol = Walk.DirectSymbol(webSocket);
            if (symbol == null)
            {
                // Not a location (`Get().DetachAsync()`): the analysis has nothing to follow after it either.
                return webSocket == null || webSocket is IInvocationOperation || webSocket is IObjectCreationOperation;
            }

            detached.Add(symbol);

            // Copies of it, either way (`var h = ws;`, `ws is HandoffWebSocket h`).
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var assignment in walk.Assignments)
                {
                    var source = Walk.DirectSymbol(EventClassifier.Unwrap(assignment.Value));
                    if (source == null)
                    {
                        continue;
                    }

                    var targetIsDetached = false;
                    foreach (var target in assignment.Targets)
                    {
                        targetIsDetached |= detached.Contains(target);
                    }

                    if (detached.Contains(source))
                    {
                        foreach (var target in assignment.Targets)
                        {
                            changed |= detached.Add(target);
                        }
                    }
                    else if (targetIsDetached)
                    {
                        changed |= detached.Add(source);
                    }
                }
            }

            var handedSpan = (handed ?? detach.Instance)?.Syntax.Span ?? default;
            foreach (var mention in walk.AllMentions)
            {
                if (detached.Contains(mention.Symbol)
                    && !handedSpan.Contains(mention.Span)
                    && !walk.RunsOnlyBefore(mention, detach.Syntax.Span))
                {
                    return false;
                }
            }

            return true;
        }

        private sealed class Assignment
        {
            public Assignment(List<ISymbol> targets, IOperation value, bool hasNonLocalTarget)
            {
                Targets = targets;
                Value = value;
                HasNonLocalTarget = hasNonLocalTarget;
            }

            public List<ISymbol> Targets { get; }

            public IOperation Value { get; }

            public bool HasNonLocalTarget { get; }
        }

        private readonly struct Mention
        {
            public Mention(ISymbol symbol, TextSpan span, bool inClosure)
            {
                Symbol = symbol;
                Span = span;
                InClosure = inClosure;
            }

            public ISymbol Symbol { get; }

            public TextSpan Span { get; }

            public bool InClosure { get; }
        }

        /// <summary>One pass over the member's operations: what the screen needs, or false for a shape it does not settle.</summary>
        private sealed class Walk
        {
            private readonly List<TextSpan> _loops = new List<TextSpan>();
            private readonly List<TextSpan> _closures = new List<TextSpan>();
            private readonly Stack<(IOperation Operation, bool InClosure)> _stack = new Stack<(IOperation, bool)>();
            private readonly Stack<IOperation> _descendants = new Stack<IOperation>();
            private HandoffTypes _types = null!;

            public void Reset(HandoffTypes? types)
            {
                _types = types!;
                _descendants.Clear();
                _loops.Clear();
                _closures.Clear();
                _stack.Clear();
                Creations.Clear();
                Detaches.Clear();
                Assignments.Clear();
                AllMentions.Clear();
            }

            public List<IInvocationOperation> Creations { get; } = new List<IInvocationOperation>();

            /// <summary>Detach calls, and calls handing a HandoffWebSocket to a method (which may detach it): call, WebSocket handed.</summary>
            public List<(IInvocationOperation Call, IOperation? Handed)> Detaches { get; } = new List<(IInvocationOperation, IOperation?)>();

            public List<Assignment> Assignments { get; } = new List<Assignment>();

            public List<Mention> AllMentions { get; } = new List<Mention>();

            public bool Run(IOperation root)
            {
                var stack = _stack;
                stack.Push((root, false));
                while (stack.Count > 0)
                {
                    var (operation, inClosure) = stack.Pop();
                    if (!Visit(operation, inClosure))
                    {
                        return false;
                    }

                    var childInClosure = inClosure || operation.Kind == OperationKind.AnonymousFunction || operation.Kind == OperationKind.LocalFunction;
                    foreach (var child in operation.ChildOperations)
                    {
                        stack.Push((child, childInClosure));
                    }
                }

                return true;
            }

            // A switch on the kind, not on the interface: a member has hundreds of operations, and a chain of interface
            // type tests per operation cost more than the rest of the screen.
            private bool Visit(IOperation operation, bool inClosure)
            {
                switch (operation.Kind)
                {
                    case OperationKind.Branch:
                        return ((IBranchOperation)operation).BranchKind != BranchKind.GoTo;
                    case OperationKind.Loop:
                        _loops.Add(operation.Syntax.Span);
                        if (operation is IForEachLoopOperation forEach)
                        {
                            Assignments.Add(new Assignment(new List<ISymbol>(forEach.Locals), forEach.Collection, false));
                        }

                        break;
                    case OperationKind.AnonymousFunction:
                    case OperationKind.LocalFunction:
                        _closures.Add(operation.Syntax.Span);
                        break;
                    case OperationKind.Invocation:
                        VisitInvocation((IInvocationOperation)operation);
                        break;
                    case OperationKind.LocalReference:
                        AllMentions.Add(new Mention(((ILocalReferenceOperation)operation).Local, operation.Syntax.Span, inClosure));
                        break;
                    case OperationKind.ParameterReference:
                        AllMentions.Add(new Mention(((IParameterReferenceOperation)operation).Parameter, operation.Syntax.Span, inClosure));
                        break;
                    case OperationKind.FieldReference:
                    case OperationKind.PropertyReference:
                        AllMentions.Add(new Mention(((IMemberReferenceOperation)operation).Member, operation.Syntax.Span, inClosure));
                        break;
                    case OperationKind.VariableDeclarator:
                        var declarator = (IVariableDeclaratorOperation)operation;
                        if (declarator.Initializer != null)
                        {
                            Assignments.Add(new Assignment(new List<ISymbol> { declarator.Symbol }, declarator.Initializer.Value, false));
                        }

                        break;
                    case OperationKind.SimpleAssignment:
                    case OperationKind.CompoundAssignment:
                    case OperationKind.CoalesceAssignment:
                    case OperationKind.DeconstructionAssignment:
                        var assignment = (IAssignmentOperation)operation;
                        AddAssignment(assignment.Target, assignment.Value);
                        break;
                    case OperationKind.DeclarationPattern:
                    case OperationKind.RecursivePattern:
                    case OperationKind.ListPattern:
                        return AddPattern((IPatternOperation)operation);
                    case OperationKind.Argument:
                        var argument = (IArgumentOperation)operation;
                        if (argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref && argument.Parent != null)
                        {
                            AddAssignment(argument.Value, argument.Parent);
                        }

                        break;
                }

                return true;
            }

            private void VisitInvocation(IInvocationOperation invocation)
            {
                var method = invocation.TargetMethod;
                if (method.Name == "CreateFromStream" && method.IsStatic && _types.IsCreationType(method.ContainingType))
                {
                    Creations.Add(invocation);
                    return;
                }

                if (TextPrecheck.IsDetachName(method.Name) && invocation.Instance != null)
                {
                    Detaches.Add((invocation, null));
                }

                // A helper the analysis may count as a detach of the HandoffWebSocket handed to it.
                foreach (var argument in invocation.Arguments)
                {
                    if (_types.IsHandoff(EventClassifier.Unwrap(argument.Value)?.Type))
                    {
                        Detaches.Add((invocation, argument.Value));
                    }
                }
            }

            private void AddAssignment(IOperation target, IOperation value)
            {
                var targets = new List<ISymbol>();
                var nonLocal = false;
                foreach (var operation in DescendantsAndSelf(target))
                {
                    switch (operation)
                    {
                        case ILocalReferenceOperation local:
                            targets.Add(local.Local);
                            break;
                        case IParameterReferenceOperation parameter:
                            targets.Add(parameter.Parameter);
                            break;
                        case IMemberReferenceOperation member:
                            targets.Add(member.Member);
                            nonLocal = true;
                            break;
                        case IArrayElementReferenceOperation:
                        case IInstanceReferenceOperation:
                        case IDynamicMemberReferenceOperation:
                            nonLocal = true;
                            break;
                    }
                }

                Assignments.Add(new Assignment(targets, value, nonLocal || targets.Count == 0));
            }

            /// <summary>A pattern declares locals from the value it tests: an assignment from that value.</summary>
            private bool AddPattern(IPatternOperation pattern)
            {
                IOperation? tested = null;
                for (var current = pattern.Parent; current != null && tested == null; current = current.Parent)
                {
                    tested = current switch
                    {
                        IIsPatternOperation isPattern => isPattern.Value,
                        ISwitchExpressionOperation switchExpression => switchExpression.Value,
                        ISwitchOperation switchStatement => switchStatement.Value,
                        _ => null,
                    };
                }

                if (tested == null)
                {
                    return false;
                }

                var declared = new List<ISymbol>();
                switch (pattern)
                {
                    case IDeclarationPatternOperation { DeclaredSymbol: { } symbol }:
                        declared.Add(symbol);
                        break;
                    case IRecursivePatternOperation { DeclaredSymbol: { } symbol }:
                        declared.Add(symbol);
                        break;
                    case IListPatternOperation { DeclaredSymbol: { } symbol }:
                        declared.Add(symbol);
                        break;
                }

                if (declared.Count > 0)
                {
                    Assignments.Add(new Assignment(declared, tested, false));
                }

                return true;
            }

            /// <summary>
            /// Adds the locations <paramref name="value"/> reads (locals, parameters); false when it reads the type's
            /// own or static state (a field, a property, <c>this</c>, a static or own method), which the analysis follows
            /// into other members or treats as a location of its own.
            /// </summary>
            public bool AddRootsOf(IOperation value, HashSet<ISymbol> roots)
            {
                foreach (var operation in DescendantsAndSelf(value))
                {
                    switch (operation)
                    {
                        case ILocalReferenceOperation local:
                            roots.Add(local.Local);
                            break;
                        case IParameterReferenceOperation parameter:
                            if (new RefKey(parameter.Parameter, null).IsMemberOfThis)
                            {
                                // A primary-constructor parameter (`class C(Stream stream)`): visible from the other members.
                                return false;
                            }

                            roots.Add(parameter.Parameter);
                            break;
                        case IMemberReferenceOperation member when member.Instance == null || member.Instance is IInstanceReferenceOperation:
                            return false;
                        case IInstanceReferenceOperation:
                            return false;
                        case IInvocationOperation invocation when invocation.Instance == null || invocation.Instance is IInstanceReferenceOperation:
                            // A location of its own for the analysis (`Open()` called again names the same stream).
                            return false;
                    }
                }

                return true;
            }

            public bool Mentions(IOperation value, HashSet<ISymbol> symbols)
            {
                foreach (var operation in DescendantsAndSelf(value))
                {
                    var symbol = DirectSymbol(operation);
                    if (symbol != null && symbols.Contains(symbol))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// A value that may be a root itself: a location that is one, or a member or <c>GetStream()</c> read from one
            /// (<c>stream.Socket</c>, <c>client.GetStream()</c>), through conversions.
            /// </summary>
            public static bool IsCopyOf(IOperation? value, HashSet<ISymbol> roots)
            {
                for (var depth = 0; value != null && depth < 16; depth++)
                {
                    value = EventClassifier.Unwrap(value);
                    var symbol = DirectSymbol(value);
                    if (symbol != null && roots.Contains(symbol))
                    {
                        return true;
                    }

                    value = value switch
                    {
                        IMemberReferenceOperation member => member.Instance,
                        IInvocationOperation { TargetMethod.Name: "GetStream" } invocation => invocation.Instance,
                        _ => null,
                    };
                }

                return false;
            }

            /// <summary>The location an operation reads directly: a local, a parameter, a field or property.</summary>
            public static ISymbol? DirectSymbol(IOperation? operation) => operation switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                IMemberReferenceOperation { Member: IFieldSymbol or IPropertySymbol } member => member.Member,
                _ => null,
            };

            public bool IsInClosure(IOperation operation)
            {
                var span = operation.Syntax.Span;
                foreach (var closure in _closures)
                {
                    if (closure.Contains(span))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// Can the mention run only before <paramref name="point"/>? It comes first in the source, is not in a lambda
            /// or local function, and no loop holds both (no <c>goto</c>: checked by the walk).
            /// </summary>
            public bool RunsOnlyBefore(Mention mention, TextSpan point)
            {
                if (mention.InClosure || mention.Span.End > point.Start)
                {
                    return false;
                }

                foreach (var loop in _loops)
                {
                    if (loop.Contains(point) && loop.Contains(mention.Span))
                    {
                        return false;
                    }
                }

                return true;
            }

            /// <summary>Not reentrant: one enumeration at a time (each caller finishes its loop before the next).</summary>
            private IEnumerable<IOperation> DescendantsAndSelf(IOperation operation)
            {
                var stack = _descendants;
                stack.Clear();
                stack.Push(operation);
                while (stack.Count > 0)
                {
                    var current = stack.Pop();
                    yield return current;
                    foreach (var child in current.ChildOperations)
                    {
                        stack.Push(child);
                    }
                }
            }
        }
    }
}
