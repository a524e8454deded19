using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace WebSocketHandoff.Analyzers.Flow
{
    /// <summary>
    /// Settles, from a member's syntax and a few questions to its semantic model, that the flow analysis of the member
    /// could find nothing to report — before any operation tree is built for it.
    /// <para>
    /// Why: for the ordinary creating member (a handshake, then the WebSocket; a detach, then the raw stream) building the
    /// operation tree that <see cref="QuietMemberScreen"/> reads was the largest part of what the flow rules cost (the
    /// operation tree is a second tree over the whole body, allocated per member; the compiler's bound nodes, which the
    /// semantic model answers from, are already there). This screen asks the same questions as
    /// <see cref="QuietMemberScreen"/>, by name instead of by symbol: every later mention of a root of the transport
    /// (after the creation) or of the WebSocket (after a detach) must be spelled with that name, so comparing names
    /// finds every mention the symbol comparison finds, and more (a same-named member of another object, a shadowing
    /// lambda parameter). One question it answers more closely: a value handed to a call matters only when the call
    /// can be counted as a helper that detaches it, which takes a method declared in source whose declaration spells a
    /// detach (<see cref="TextPrecheck.DetachingMethodNames"/>); calls by any other name are not looked at.
    /// </para>
    /// <para>
    /// The semantic model is asked only what syntax cannot tell: whether a name in the transport is a local or parameter
    /// (not a field, property, primary-constructor parameter or static member, which the analysis follows into other
    /// members), and the type of a value handed to a call and named again afterwards (a helper that detaches a
    /// HandoffWebSocket). Anything it cannot settle — <c>goto</c>, a creation or detach in a lambda or local function, a
    /// transport from a field, a mention afterwards — goes on to the existing path, whose answer is the same as before.
    /// </para>
    /// </summary>
    internal static class SyntaxScreen
    {
        [System.ThreadStatic]
        private static Walk? t_walk;

        /// <summary>Can the flow analysis of this code block find nothing to report? False when not sure.</summary>
        public static bool IsQuiet(SyntaxNode block, ISymbol owner, SemanticModel? model, HandoffTypes types, CancellationToken cancellationToken)
        {
            if (model == null
                || owner is not IMethodSymbol method
                || !(block is BaseMethodDeclarationSyntax || block is AccessorDeclarationSyntax)
                || block.SyntaxTree != model.SyntaxTree)
            {
                return false;
            }

            // One walk per thread, cleared and reused (as the operation screen's): it runs for every member that names a
            // creation or a detach.
            var walk = t_walk ??= new Walk();
            walk.Reset(method, model, types, cancellationToken);
            try
            {
                return walk.Run(block) && walk.AllQuiet();
            }
            finally
            {
                // Keep the capacity, not the nodes (nor, through the model, the compilation).
                walk.Reset(null, null, null, default);
            }
        }

        /// <summary>The name a call is made by: <c>Name</c> in <c>x.Name(…)</c>, <c>x?.Name(…)</c>, <c>Name&lt;T&gt;(…)</c>.</summary>
        internal static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
        {
            MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
            MemberBindingExpressionSyntax memberBinding => memberBinding.Name.Identifier.ValueText,
            SimpleNameSyntax simpleName => simpleName.Identifier.ValueText,
            _ => null,
        };

        /// <summary>What a value is once parentheses, casts, <c>as</c> and <c>!</c> are stripped (the operation screen's Unwrap).</summary>
        internal static ExpressionSyntax Unwrap(ExpressionSyntax expression)
        {
            for (var depth = 0; depth < 32; depth++)
            {
                switch (expression)
                {
                    case ParenthesizedExpressionSyntax parenthesized:
                        expression = parenthesized.Expression;
                        continue;
                    case CastExpressionSyntax cast:
                        expression = cast.Expression;
                        continue;
                    case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AsExpression):
                        expression = binary.Left;
                        continue;
                    case PostfixUnaryExpressionSyntax postfix when postfix.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                        expression = postfix.Operand;
                        continue;
                }

                break;
            }

            return expression;
        }

        /// <summary>
        /// The name of the location a value reads directly (a local, parameter, field or property: <c>ws</c>,
        /// <c>this._ws</c>, <c>x.Socket</c>), or null for any other value.
        /// </summary>
        internal static string? DirectName(ExpressionSyntax value) => Unwrap(value) switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Name: IdentifierNameSyntax name } => name.Identifier.ValueText,
            _ => null,
        };

        private readonly struct Mention
        {
            public Mention(string name, TextSpan span, bool inClosure)
            {
                Name = name;
                Span = span;
                InClosure = inClosure;
            }

            public string Name { get; }

            public TextSpan Span { get; }

            public bool InClosure { get; }
        }

        /// <summary>
        /// A value given to names: a declaration with an initializer, an assignment, a foreach variable, a pattern's
        /// declaration, an out argument. <see cref="Value"/> is null when the syntax does not say (a catch variable, a
        /// query range variable).
        /// </summary>
        private readonly struct Assignment
        {
            public Assignment(string? declared, SyntaxNode? target, ExpressionSyntax? value, bool declaresLocals)
            {
                Declared = declared;
                Target = target;
                Value = value;
                DeclaresLocals = declaresLocals;
            }

            /// <summary>The declared name; null for an assignment, whose names are those spelled in <see cref="Target"/> (each identifier of <c>a.b[c]</c>).</summary>
            public string? Declared { get; }

            /// <summary>The target expression of an assignment or a ref/out argument; null for a declaration.</summary>
            public SyntaxNode? Target { get; }

            public ExpressionSyntax? Value { get; }

            /// <summary>The targets are locals declared here (a declarator, a designation, a foreach variable).</summary>
            public bool DeclaresLocals { get; }
        }

        /// <summary>A value handed to a call (an argument, the receiver of what may be an extension method, an interpolation).</summary>
        private readonly struct Handed
        {
            public Handed(SyntaxNode call, string? callee, ExpressionSyntax value, bool isReceiver, bool inClosure, bool isLocation = true)
            {
                Call = call;
                Callee = callee;
                Value = value;
                IsReceiver = isReceiver;
                InClosure = inClosure;
                IsLocation = isLocation;
            }

            public SyntaxNode Call { get; }

            /// <summary>The name of the method called (for the implicit calls, <c>Add</c>, <c>AppendFormatted</c>), or null when not known.</summary>
            public string? Callee { get; }

            public ExpressionSyntax Value { get; }

            public bool IsReceiver { get; }

            public bool InClosure { get; }

            /// <summary>
            /// False for the receiver of <c>x?.M()</c>: handed as the conditional access's value, not as the location <c>x</c>.
            /// </summary>
            public bool IsLocation { get; }
        }

        /// <summary>One pass over the member's syntax: what the screen needs, or false for a shape it does not settle.</summary>
        private sealed class Walk
        {
            private readonly List<TextSpan> _loops = new List<TextSpan>();
            private readonly List<(InvocationExpressionSyntax Call, bool InClosure)> _creations = new List<(InvocationExpressionSyntax, bool)>();
            private readonly List<(InvocationExpressionSyntax Call, ExpressionSyntax Receiver, bool InClosure)> _detaches =
                new List<(InvocationExpressionSyntax, ExpressionSyntax, bool)>();

            private readonly List<Handed> _handed = new List<Handed>();
            private readonly List<Assignment> _assignments = new List<Assignment>();

            /// <summary>Every name the member declares (locals, lambda and local-function parameters, designations).</summary>
            private readonly HashSet<string> _declared = new HashSet<string>();
            private readonly HashSet<string> _names = new HashSet<string>();
            private readonly HashSet<string> _copyNames = new HashSet<string>();
            private bool _copyNamesReady;

            /// <summary>The mentions of each name: <see cref="_byName"/>[<see cref="_nameSlots"/>[name]] (lists kept across members).</summary>
            private readonly Dictionary<string, int> _nameSlots = new Dictionary<string, int>();
            private readonly List<List<Mention>> _byName = new List<List<Mention>>();
            private readonly List<bool> _followed = new List<bool>();
            private readonly Stack<(SyntaxNode Node, bool InClosure)> _stack = new Stack<(SyntaxNode, bool)>();
            private SyntaxNode? _block;
            private IMethodSymbol _owner = null!;
            private SemanticModel _model = null!;
            private HandoffTypes _types = null!;
            private CancellationToken _cancellationToken;

            public void Reset(IMethodSymbol? owner, SemanticModel? model, HandoffTypes? types, CancellationToken cancellationToken)
            {
                _owner = owner!;
                _model = model!;
                _types = types!;
                _cancellationToken = cancellationToken;
                _loops.Clear();
                _creations.Clear();
                _detaches.Clear();
                _handed.Clear();
                _assignments.Clear();
                _declared.Clear();
                _names.Clear();
                _copyNames.Clear();
                _copyNamesReady = false;
                _nameSlots.Clear();
                foreach (var list in _byName)
                {
                    list.Clear();
                }

                _followed.Clear();
                _stack.Clear();
                _block = null;
            }

            public bool Run(SyntaxNode block)
            {
                _block = block;
                var stack = _stack;
                stack.Push((block, false));
                while (stack.Count > 0)
                {
                    var (node, inClosure) = stack.Pop();
                    if (!Visit(node, inClosure))
                    {
                        return false;
                    }

                    var childInClosure = inClosure || IsClosure(node);
                    foreach (var child in node.ChildNodesAndTokens())
                    {
                        if (child.IsNode)
                        {
                            stack.Push((child.AsNode()!, childInClosure));
                        }
                    }
                }

                return true;
            }

            /// <summary>Code that may run later than where it is written: lambdas, anonymous methods, local functions, query clauses.</summary>
            private static bool IsClosure(SyntaxNode node) =>
                node is AnonymousFunctionExpressionSyntax || node is LocalFunctionStatementSyntax || node is QueryExpressionSyntax;

            private bool Visit(SyntaxNode node, bool inClosure)
            {
                switch (node.Kind())
                {
                    case SyntaxKind.GotoStatement:
                    case SyntaxKind.GotoCaseStatement:
                    case SyntaxKind.GotoDefaultStatement:
                        return false;
                    case SyntaxKind.IdentifierName:
                        // Not the name of a named argument or of an anonymous type's member: those refer to nothing here.
                        if (!(node.Parent is NameColonSyntax || node.Parent is NameEqualsSyntax))
                        {
                            AddMention(((IdentifierNameSyntax)node).Identifier.ValueText, node.Span, inClosure);
                        }

                        break;
                    case SyntaxKind.InvocationExpression:
                        return VisitInvocation((InvocationExpressionSyntax)node, inClosure);
                    case SyntaxKind.WhileStatement:
                    case SyntaxKind.DoStatement:
                    case SyntaxKind.ForStatement:
                        _loops.Add(node.Span);
                        break;
                    case SyntaxKind.ForEachStatement:
                        var forEach = (ForEachStatementSyntax)node;
                        _loops.Add(node.Span);
                        _declared.Add(forEach.Identifier.ValueText);
                        _assignments.Add(new Assignment(forEach.Identifier.ValueText, null, forEach.Expression, declaresLocals: true));
                        break;
                    case SyntaxKind.ForEachVariableStatement:
                        // Declared names come from the designations inside (visited on their own); existing ones are assigned here.
                        var forEachVariable = (ForEachVariableStatementSyntax)node;
                        _loops.Add(node.Span);
                        _assignments.Add(new Assignment(null, forEachVariable.Variable, forEachVariable.Expression, declaresLocals: false));
                        break;
                    case SyntaxKind.VariableDeclarator:
                        var declarator = (VariableDeclaratorSyntax)node;
                        _declared.Add(declarator.Identifier.ValueText);
                        if (declarator.Initializer != null)
                        {
                            _assignments.Add(new Assignment(declarator.Identifier.ValueText, null, declarator.Initializer.Value, declaresLocals: true));
                        }

                        break;
                    case SyntaxKind.SingleVariableDesignation:
                        var designation = (SingleVariableDesignationSyntax)node;
                        _declared.Add(designation.Identifier.ValueText);
                        _assignments.Add(new Assignment(designation.Identifier.ValueText, null, DesignatedValue(designation), declaresLocals: true));
                        break;
                    case SyntaxKind.Parameter:
                        // A lambda's or local function's parameter (the member's own are its parameters, see OwnParameter).
                        if (node.Parent?.Parent != _block)
                        {
                            _declared.Add(((ParameterSyntax)node).Identifier.ValueText);
                        }

                        break;
                    case SyntaxKind.LocalFunctionStatement:
                        _declared.Add(((LocalFunctionStatementSyntax)node).Identifier.ValueText);
                        break;
                    case SyntaxKind.CatchDeclaration:
                        AddUnknown(((CatchDeclarationSyntax)node).Identifier);
                        break;
                    case SyntaxKind.FromClause:
                        AddUnknown(((FromClauseSyntax)node).Identifier);
                        break;
                    case SyntaxKind.LetClause:
                        AddUnknown(((LetClauseSyntax)node).Identifier);
                        break;
                    case SyntaxKind.JoinClause:
                        AddUnknown(((JoinClauseSyntax)node).Identifier);
                        break;
                    case SyntaxKind.JoinIntoClause:
                        AddUnknown(((JoinIntoClauseSyntax)node).Identifier);
                        break;
                    case SyntaxKind.QueryContinuation:
                        AddUnknown(((QueryContinuationSyntax)node).Identifier);
                        break;
                    case SyntaxKind.Argument:
                        var argument = (ArgumentSyntax)node;
                        if ((argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword) || argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword))
                            && !(argument.Expression is DeclarationExpressionSyntax))
                        {
                            // `TryOpen(out s)`, `Exchange(ref _field, x)`: the call assigns the argument (a declared `out var s` is a designation).
                            _assignments.Add(new Assignment(null, argument.Expression, CallOf(argument) as ExpressionSyntax, declaresLocals: false));
                        }

                        break;
                    case SyntaxKind.AnonymousObjectMemberDeclarator:
                        // `new { S = stream }`: the analysis sees a property of the anonymous type assigned, a member it follows.
                        var member = (AnonymousObjectMemberDeclaratorSyntax)node;
                        _assignments.Add(new Assignment(member.NameEquals?.Name.Identifier.ValueText ?? string.Empty, member, member.Expression, declaresLocals: false));
                        break;
                    case SyntaxKind.Interpolation:
                        _handed.Add(new Handed(node, "AppendFormatted", ((InterpolationSyntax)node).Expression, isReceiver: false, inClosure));
                        break;
                    case SyntaxKind.CollectionInitializerExpression:
                    case SyntaxKind.ComplexElementInitializerExpression:
                        // `new List<T> { a }` and `{ { k, v } }` call Add with each element.
                        foreach (var element in ((InitializerExpressionSyntax)node).Expressions)
                        {
                            if (!element.IsKind(SyntaxKind.ComplexElementInitializerExpression))
                            {
                                _handed.Add(new Handed(element, "Add", element, isReceiver: false, inClosure));
                            }
                        }

                        break;
                    case SyntaxKind.CollectionExpression:
                        foreach (var element in ((CollectionExpressionSyntax)node).Elements)
                        {
                            if (element is ExpressionElementSyntax expressionElement)
                            {
                                _handed.Add(new Handed(element, null, expressionElement.Expression, isReceiver: false, inClosure));
                            }
                        }

                        break;
                    case SyntaxKind.ThisConstructorInitializer:
                    case SyntaxKind.BaseConstructorInitializer:
                        AddArguments(node, null, ((ConstructorInitializerSyntax)node).ArgumentList, inClosure);
                        break;
                    default:
                        if (node is AssignmentExpressionSyntax assignment)
                        {
                            _assignments.Add(new Assignment(null, assignment.Left, assignment.Right, declaresLocals: false));
                        }

                        break;
                }

                return true;
            }

            private void AddMention(string name, TextSpan span, bool inClosure)
            {
                if (!_nameSlots.TryGetValue(name, out var slot))
                {
                    slot = _nameSlots.Count;
                    _nameSlots.Add(name, slot);
                    if (slot == _byName.Count)
                    {
                        _byName.Add(new List<Mention>());
                    }
                }

                _byName[slot].Add(new Mention(name, span, inClosure));
            }

            private void AddUnknown(SyntaxToken identifier)
            {
                _declared.Add(identifier.ValueText);
                _assignments.Add(new Assignment(identifier.ValueText, null, null, declaresLocals: true));
            }

            private bool VisitInvocation(InvocationExpressionSyntax invocation, bool inClosure)
            {
                var name = InvokedName(invocation);
                if (name == "CreateFromStream")
                {
                    _creations.Add((invocation, inClosure));

                    // The transport is the creation's own business; a user method that shares the name may take more.
                    AddArguments(invocation, name, invocation.ArgumentList, inClosure);
                    return true;
                }

                if (name != null && TextPrecheck.IsDetachName(name))
                {
                    switch (invocation.Expression)
                    {
                        case MemberAccessExpressionSyntax memberAccess:
                            _detaches.Add((invocation, memberAccess.Expression, inClosure));
                            AddArguments(invocation, name, invocation.ArgumentList, inClosure);
                            return true;
                        case MemberBindingExpressionSyntax:
                            // `ws?.DetachAsync()`: the operation screen does not settle a detach of a conditional access either.
                            return false;
                    }
                }

                AddArguments(invocation, name, invocation.ArgumentList, inClosure);

                // An extension method gets its receiver as an argument.
                switch (invocation.Expression)
                {
                    case MemberAccessExpressionSyntax receiverAccess:
                        _handed.Add(new Handed(invocation, name, receiverAccess.Expression, isReceiver: true, inClosure));
                        break;
                    case MemberBindingExpressionSyntax:
                        if (ConditionalReceiver(invocation) is { } conditional)
                        {
                            _handed.Add(new Handed(invocation, name, conditional, isReceiver: true, inClosure, isLocation: false));
                        }
                        else
                        {
                            return false;
                        }

                        break;
                }

                return true;
            }

            private void AddArguments(SyntaxNode call, string? callee, BaseArgumentListSyntax? arguments, bool inClosure)
            {
                if (arguments == null)
                {
                    return;
                }

                foreach (var argument in arguments.Arguments)
                {
                    _handed.Add(new Handed(call, callee, argument.Expression, isReceiver: false, inClosure));
                }
            }

            private static SyntaxNode? CallOf(ArgumentSyntax argument) => argument.Parent?.Parent;

            /// <summary>The value tested by the conditional access that <c>?.M()</c> belongs to.</summary>
            private static ExpressionSyntax? ConditionalReceiver(InvocationExpressionSyntax invocation)
            {
                for (SyntaxNode? node = invocation; node != null; node = node.Parent)
                {
                    if (node.Parent is ConditionalAccessExpressionSyntax conditional && conditional.WhenNotNull == node)
                    {
                        return conditional.Expression;
                    }
                }

                return null;
            }

            /// <summary>The value a designation declares a local from (the tested value of a pattern, the call of an out variable…), or null.</summary>
            private static ExpressionSyntax? DesignatedValue(SingleVariableDesignationSyntax designation)
            {
                for (var node = designation.Parent; node != null; node = node.Parent)
                {
                    switch (node)
                    {
                        case IsPatternExpressionSyntax isPattern:
                            return isPattern.Expression;
                        case CasePatternSwitchLabelSyntax:
                            return (node.Parent?.Parent as SwitchStatementSyntax)?.Expression;
                        case SwitchExpressionArmSyntax:
                            return (node.Parent as SwitchExpressionSyntax)?.GoverningExpression;
                        case ArgumentSyntax argument when argument.RefKindKeyword.IsKind(SyntaxKind.OutKeyword) || argument.RefKindKeyword.IsKind(SyntaxKind.RefKeyword):
                            return CallOf(argument) as ExpressionSyntax;
                        case AssignmentExpressionSyntax assignment:
                            return assignment.Right;
                        case ForEachVariableStatementSyntax forEach:
                            return forEach.Expression;
                        case PatternSyntax:
                        case VariableDesignationSyntax:
                        case SubpatternSyntax:
                        case PropertyPatternClauseSyntax:
                        case PositionalPatternClauseSyntax:
                        case DeclarationExpressionSyntax:
                        case ArgumentSyntax:
                        case TupleExpressionSyntax:
                            continue;
                        default:
                            return null;
                    }
                }

                return null;
            }

            public bool AllQuiet()
            {
                foreach (var (call, inClosure) in _creations)
                {
                    if (inClosure || !CreationIsQuiet(call))
                    {
                        return false;
                    }
                }

                foreach (var (call, receiver, inClosure) in _detaches)
                {
                    if (inClosure || !DetachIsQuiet(call, receiver))
                    {
                        return false;
                    }
                }

                foreach (var handed in _handed)
                {
                    if (!HandedIsQuiet(handed))
                    {
                        return false;
                    }
                }

                return true;
            }

            private bool CreationIsQuiet(InvocationExpressionSyntax creation)
            {
                var transport = TransportOf(creation.ArgumentList);
                if (transport == null)
                {
                    return false;
                }

                // The roots: the locals and parameters the transport names, and what was assigned to those (what they
                // wrap), to a fixed point. A field, property, static member, `this` or own method among them: the
                // analysis follows it into other members, or treats it as a location of its own.
                var roots = _names;
                roots.Clear();
                _followed.Clear();
                for (var i = 0; i < _assignments.Count; i++)
                {
                    _followed.Add(false);
                }

                if (!AddRootsOf(transport, roots))
                {
                    return false;
                }

                for (var changed = true; changed;)
                {
                    changed = false;
                    for (var i = 0; i < _assignments.Count; i++)
                    {
                        var assignment = _assignments[i];
                        if (_followed[i])
                        {
                            continue;
                        }

                        if (!TargetsAny(assignment, roots))
                        {
                            // A copy of a root, before or after the creation (`var raw = stream;`, `var socket =
                            // stream.Socket;`, `stream is NetworkStream ns`, `var s = client.GetStream();`): the analysis
                            // reads the copy as the transport, so its name counts as a root here.
                            if (assignment.Value != null && CopiedRoot(assignment.Value) is { } copied && roots.Contains(copied))
                            {
                                _followed[i] = true;
                                changed |= AddTargets(assignment, roots);
                            }

                            continue;
                        }

                        _followed[i] = true;
                        var before = roots.Count;
                        if (assignment.Value == null || !AddRootsOf(assignment.Value, roots))
                        {
                            return false;
                        }

                        changed |= roots.Count != before;
                    }
                }

                // A root stored in anything but a local (`_stream = stream`, `new { S = stream }`): the analysis follows it into other members.
                foreach (var assignment in _assignments)
                {
                    if (!assignment.DeclaresLocals
                        && (assignment.Value == null || Mentions(assignment.Value, roots))
                        && !TargetIsLocal(assignment))
                    {
                        return false;
                    }
                }

                return NotMentionedAfter(roots, transport.Span, creation.Span);
            }

            /// <summary>
            /// The name a value copies, or reaches through a member, or opens with <c>GetStream()</c> (<c>stream</c>,
            /// <c>(NetworkStream)stream</c>, <c>stream.Socket</c>, <c>client.Client</c>, <c>client.GetStream()</c>);
            /// null for anything else (a call taking it as an argument, an await).
            /// </summary>
            private static string? CopiedRoot(ExpressionSyntax value)
            {
                var expression = Unwrap(value);
                for (var depth = 0; depth < 16; depth++)
                {
                    switch (expression)
                    {
                        case IdentifierNameSyntax identifier:
                            return identifier.Identifier.ValueText;
                        case MemberAccessExpressionSyntax memberAccess:
                            expression = Unwrap(memberAccess.Expression);
                            continue;
                        case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetStream" } open }
                            when open.Expression is ExpressionSyntax receiver:
                            expression = Unwrap(receiver);
                            continue;
                        case ConditionalAccessExpressionSyntax conditional:
                            expression = Unwrap(conditional.Expression);
                            continue;
                        default:
                            return null;
                    }
                }

                return null;
            }

            private bool DetachIsQuiet(InvocationExpressionSyntax detach, ExpressionSyntax receiver)
            {
                var webSocket = Unwrap(receiver);
                if (webSocket is InvocationExpressionSyntax || webSocket is BaseObjectCreationExpressionSyntax)
                {
                    // Not a location (`Get().DetachAsync()`): the analysis has nothing to follow after it either.
                    return true;
                }

                var name = DirectName(webSocket);
                return name != null && CopiesNotMentionedAfter(name, receiver.Span, detach.Span);
            }

            /// <summary>
            /// A value handed to a call: the call may be a helper that detaches it, when it is a HandoffWebSocket. Settled
            /// when it cannot be one, when the call cannot be counted as a detach, or when nothing names it afterwards.
            /// </summary>
            private bool HandedIsQuiet(Handed handed)
            {
                var value = Unwrap(handed.Value);
                if (CannotBeHandoff(value)
                    || (handed.Callee != null && !TextPrecheck.DetachingMethodNames(_model.Compilation, _cancellationToken).Contains(handed.Callee)))
                {
                    // Only a method declared in source that spells a detach can be counted as one (the analysis reads
                    // its declaration); a call by any other name hands nothing to a detach.
                    return true;
                }

                if (!handed.InClosure && handed.IsLocation)
                {
                    var name = DirectName(value);
                    if (name != null && CopiesNotMentionedAfter(name, handed.Value.Span, handed.Call.Span))
                    {
                        return true;
                    }

                    if (name == null && (value is InvocationExpressionSyntax || value is BaseObjectCreationExpressionSyntax))
                    {
                        return true;
                    }
                }

                if (!IsHandoff(value))
                {
                    return true;
                }

                // A HandoffWebSocket as the receiver of an instance method is not handed to anything.
                return handed.IsReceiver
                    && handed.Call is InvocationExpressionSyntax invocation
                    && _model.GetSymbolInfo(invocation, _cancellationToken).Symbol is IMethodSymbol { IsExtensionMethod: false, ReducedFrom: null };
            }

            /// <summary>Values whose type is never HandoffWebSocket (nor decides a detach): literals, lambdas, new arrays and tuples.</summary>
            private static bool CannotBeHandoff(ExpressionSyntax value)
            {
                switch (value.Kind())
                {
                    case SyntaxKind.NumericLiteralExpression:
                    case SyntaxKind.StringLiteralExpression:
                    case SyntaxKind.Utf8StringLiteralExpression:
                    case SyntaxKind.CharacterLiteralExpression:
                    case SyntaxKind.TrueLiteralExpression:
                    case SyntaxKind.FalseLiteralExpression:
                    case SyntaxKind.NullLiteralExpression:
                    case SyntaxKind.InterpolatedStringExpression:
                    case SyntaxKind.SimpleLambdaExpression:
                    case SyntaxKind.ParenthesizedLambdaExpression:
                    case SyntaxKind.AnonymousMethodExpression:
                    case SyntaxKind.TypeOfExpression:
                    case SyntaxKind.SizeOfExpression:
                    case SyntaxKind.ArrayCreationExpression:
                    case SyntaxKind.ImplicitArrayCreationExpression:
                    case SyntaxKind.StackAllocArrayCreationExpression:
                    case SyntaxKind.ImplicitStackAllocArrayCreationExpression:
                    case SyntaxKind.AnonymousObjectCreationExpression:
                    case SyntaxKind.TupleExpression:
                        return true;
                    default:
                        return false;
                }
            }

            private bool IsHandoff(ExpressionSyntax value)
            {
                if (_types.HandoffWebSocket == null)
                {
                    return false;
                }

                if (value is IdentifierNameSyntax identifier && OwnParameter(identifier.Identifier.ValueText) is { } parameter)
                {
                    return _types.IsHandoff(parameter.Type);
                }

                return _types.IsHandoff(_model.GetTypeInfo(value, _cancellationToken).Type);
            }

            /// <summary>
            /// The member's parameter of this name, when no local, lambda parameter or designation in the member shares
            /// the name: then every simple name spelled so in the member is that parameter (C# forbids a local of a
            /// parameter's name, and a parameter shadows a field or a primary-constructor parameter).
            /// </summary>
            private IParameterSymbol? OwnParameter(string name)
            {
                if (_declared.Contains(name))
                {
                    return null;
                }

                foreach (var parameter in _owner.Parameters)
                {
                    if (parameter.Name == name)
                    {
                        return parameter;
                    }
                }

                return null;
            }

            /// <summary>The transport: the argument of the parameter <c>stream</c>, by name or first by position.</summary>
            private static ExpressionSyntax? TransportOf(ArgumentListSyntax arguments)
            {
                foreach (var argument in arguments.Arguments)
                {
                    if (argument.NameColon?.Name.Identifier.ValueText == "stream")
                    {
                        return argument.Expression;
                    }
                }

                return arguments.Arguments.Count > 0 && arguments.Arguments[0].NameColon == null ? arguments.Arguments[0].Expression : null;
            }

            private static bool TargetsAny(in Assignment assignment, HashSet<string> names)
            {
                if (assignment.Declared != null)
                {
                    return names.Contains(assignment.Declared);
                }

                if (assignment.Target is IdentifierNameSyntax identifier)
                {
                    return names.Contains(identifier.Identifier.ValueText);
                }

                foreach (var node in assignment.Target!.DescendantNodesAndSelf())
                {
                    if (node is IdentifierNameSyntax name && names.Contains(name.Identifier.ValueText))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>Adds every name of the assignment's target; true when one was new.</summary>
            private static bool AddTargets(in Assignment assignment, HashSet<string> names)
            {
                if (assignment.Declared != null)
                {
                    return names.Add(assignment.Declared);
                }

                var added = false;
                foreach (var node in assignment.Target!.DescendantNodesAndSelf())
                {
                    if (node is IdentifierNameSyntax name)
                    {
                        added |= names.Add(name.Identifier.ValueText);
                    }
                }

                return added;
            }

            /// <summary>Is the target of an assignment (or a ref/out argument) made of locals and parameters only?</summary>
            private bool TargetIsLocal(Assignment assignment)
            {
                switch (assignment.Target)
                {
                    case IdentifierNameSyntax identifier:
                        return IsLocalOrParameter(identifier);
                    case DeclarationExpressionSyntax:
                        return true;
                    case TupleExpressionSyntax tuple:
                        foreach (var argument in tuple.Arguments)
                        {
                            if (!(argument.Expression is DeclarationExpressionSyntax)
                                && !(argument.Expression is IdentifierNameSyntax element && IsLocalOrParameter(element)))
                            {
                                return false;
                            }
                        }

                        return true;
                    default:
                        return false;
                }
            }

            /// <summary>A local or a parameter of this member (or of a lambda in it): not a field, property or primary-constructor parameter.</summary>
            private bool IsLocalOrParameter(IdentifierNameSyntax identifier) => IsLocalOrParameter(SymbolOf(identifier));

            private ISymbol? SymbolOf(IdentifierNameSyntax identifier) =>
                (ISymbol?)OwnParameter(identifier.Identifier.ValueText) ?? _model.GetSymbolInfo(identifier, _cancellationToken).Symbol;

            private bool IsLocalOrParameter(ISymbol? symbol)
            {
                return symbol is ILocalSymbol
                    || (symbol is IParameterSymbol parameter && !(parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
                        && !SymbolEqualityComparer.Default.Equals(constructor, _owner)));
            }

            /// <summary>
            /// Adds the names of the locals and parameters <paramref name="value"/> reads; false when it reads anything the
            /// analysis would follow elsewhere or count as a location of its own: a field or property of the type, a static
            /// member, <c>this</c>/<c>base</c>, a call of an own or static method (the operation screen's AddRootsOf, by name).
            /// </summary>
            private bool AddRootsOf(ExpressionSyntax value, HashSet<string> roots)
            {
                foreach (var node in value.DescendantNodesAndSelf(n => !IsNameOf(n)))
                {
                    switch (node)
                    {
                        case ThisExpressionSyntax:
                        case BaseExpressionSyntax:
                        case AliasQualifiedNameSyntax:
                            return false;
                        case InvocationExpressionSyntax invocation when invocation.Expression is SimpleNameSyntax && !IsNameOf(invocation):
                            return false;
                        case PredefinedTypeSyntax when node.Parent is MemberAccessExpressionSyntax access && access.Expression == node:
                            return false;
                        case GenericNameSyntax generic when !IsMemberName(generic) && !SyntaxFacts.IsInTypeOnlyContext(generic):
                            return false;
                        case IdentifierNameSyntax identifier:
                            if (IsMemberName(identifier) || identifier.IsVar || SyntaxFacts.IsInTypeOnlyContext(identifier))
                            {
                                break;
                            }

                            var symbol = SymbolOf(identifier);
                            if (IsLocalOrParameter(symbol))
                            {
                                roots.Add(identifier.Identifier.ValueText);
                                break;
                            }

                            if (!(symbol is INamespaceOrTypeSymbol) || (identifier.Parent is MemberAccessExpressionSyntax owner && owner.Expression == identifier))
                            {
                                // A field or property of the type, a method group, or the type of a static member.
                                return false;
                            }

                            break;
                    }
                }

                return true;
            }

            /// <summary>A name that is not looked up on its own: <c>b</c> in <c>a.b</c>, <c>a?.b</c>, <c>A.B</c>, a named argument.</summary>
            private static bool IsMemberName(SimpleNameSyntax name) => name.Parent switch
            {
                MemberAccessExpressionSyntax access => access.Name == name,
                MemberBindingExpressionSyntax => true,
                QualifiedNameSyntax qualified => qualified.Right == name,
                NameColonSyntax => true,
                NameEqualsSyntax => true,
                _ => false,
            };

            private static bool IsNameOf(SyntaxNode node) =>
                node is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } };

            private static bool Mentions(ExpressionSyntax value, HashSet<string> names)
            {
                foreach (var node in value.DescendantNodesAndSelf())
                {
                    if (node is IdentifierNameSyntax identifier && names.Contains(identifier.Identifier.ValueText))
                    {
                        return true;
                    }
                }

                return false;
            }

            /// <summary>
            /// Is the location named <paramref name="name"/>, and every copy of it either way (<c>var h = ws;</c>,
            /// <c>ws is HandoffWebSocket h</c>), named only where it runs before <paramref name="point"/>?
            /// </summary>
            private bool CopiesNotMentionedAfter(string name, TextSpan handed, TextSpan point)
            {
                var names = _names;
                names.Clear();
                names.Add(name);
                for (var changed = CopyNames().Contains(name); changed;)
                {
                    changed = false;
                    foreach (var assignment in _assignments)
                    {
                        var source = assignment.Value == null ? null : DirectName(assignment.Value);
                        if (source == null)
                        {
                            // A copy made by something the syntax does not show, or read through an indexer (which the
                            // operation screen follows as a property of its own).
                            if ((assignment.Value == null || Unwrap(assignment.Value) is ElementAccessExpressionSyntax) && TargetsAny(assignment, names))
                            {
                                return false;
                            }

                            continue;
                        }

                        if (names.Contains(source))
                        {
                            changed |= AddTargets(assignment, names);
                        }
                        else if (TargetsAny(assignment, names))
                        {
                            changed |= names.Add(source);
                        }
                    }
                }

                return NotMentionedAfter(names, handed, point);
            }

            /// <summary>
            /// The names a copy can start from: the source of every assignment that reads a location directly, and the
            /// targets of those and of the assignments whose value the syntax does not show or reads through an indexer.
            /// A name outside this set has no copy, and the fixed point is skipped (most values handed to calls).
            /// </summary>
            private HashSet<string> CopyNames()
            {
                if (_copyNamesReady)
                {
                    return _copyNames;
                }

                _copyNamesReady = true;
                foreach (var assignment in _assignments)
                {
                    var source = assignment.Value == null ? null : DirectName(assignment.Value);
                    if (source != null)
                    {
                        _copyNames.Add(source);
                    }

                    if (source != null || assignment.Value == null || Unwrap(assignment.Value) is ElementAccessExpressionSyntax)
                    {
                        AddTargets(assignment, _copyNames);
                    }
                }

                return _copyNames;
            }

            /// <summary>No name of <paramref name="names"/> is spelled outside <paramref name="excluded"/> where it can run after <paramref name="point"/>.</summary>
            private bool NotMentionedAfter(HashSet<string> names, TextSpan excluded, TextSpan point)
            {
                foreach (var name in names)
                {
                    if (!_nameSlots.TryGetValue(name, out var slot))
                    {
                        continue;
                    }

                    foreach (var mention in _byName[slot])
                    {
                        if (!excluded.Contains(mention.Span) && !RunsOnlyBefore(mention, point))
                        {
                            return false;
                        }
                    }
                }

                return true;
            }

            /// <summary>
            /// Can the mention run only before <paramref name="point"/>? It comes first in the source, is not in a lambda,
            /// local function or query, and no loop holds both (no <c>goto</c>: checked by the walk).
            /// </summary>
            private bool RunsOnlyBefore(Mention mention, TextSpan point)
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
        }
    }
}
