using Microsoft.CodeAnalysis;

namespace WebSocketHandoff.Analyzers.Flow
{
    internal enum FlowEventKind
    {
        /// <summary><c>CreateFromStream</c>: <see cref="FlowEvent.Key"/> is where the WebSocket is stored (if anywhere).</summary>
        Creation,

        /// <summary><c>DetachAsync</c>/<c>SendAndDetachAsync</c>/<c>Detach</c> on <see cref="FlowEvent.Key"/>.</summary>
        Detach,

        /// <summary>I/O on <see cref="FlowEvent.RootKey"/>, if that turns out to be a root of the WebSocket in question.</summary>
        RawUse,

        /// <summary><c>CloseAsync</c>/<c>CloseOutputAsync</c>, <c>Dispose</c> or <c>Abort</c> on <see cref="FlowEvent.Key"/>.</summary>
        Close,

        /// <summary><c>SendAsync</c>/<c>ReceiveAsync</c> on <see cref="FlowEvent.Key"/>.</summary>
        SendReceive,

        /// <summary>A value assigned to <see cref="FlowEvent.Key"/> (not a creation): the old WebSocket is no longer reachable there.</summary>
        Assign,

        /// <summary>A lambda created, or a local function called or converted to a delegate: <see cref="FlowEvent.Closure"/>.</summary>
        Closure,

        /// <summary>A local holding a task is awaited or waited for (<see cref="FlowEvent.Key"/>): a raw task stored there has finished.</summary>
        TaskAwaited,

        /// <summary>A call of an ordinary method of the containing type: <see cref="FlowEvent.Callee"/> (for transports in fields).</summary>
        MemberCall,
    }

    /// <summary>One thing that happens at a point of a control-flow graph and matters to a handoff.</summary>
    internal sealed class FlowEvent
    {
        public FlowEvent(FlowEventKind kind, IOperation operation)
        {
            Kind = kind;
            Operation = operation;
        }

        public FlowEventKind Kind { get; }

        /// <summary>The operation in the control-flow graph (its syntax is the source's).</summary>
        public IOperation Operation { get; }

        public SyntaxNode Syntax => Operation.Syntax;

        public RefKey? Key { get; set; }

        /// <summary>Raw use: the operand that is the root (receiver, argument).</summary>
        public IOperation? RootOperation { get; set; }

        public RefKey? RootKey { get; set; }

        /// <summary>Raw use: started and not awaited here (it may still run after the next statement).</summary>
        public bool MayStillRun { get; set; }

        /// <summary>
        /// Raw use: its task is the value the body returns (<c>() => stream.CopyToAsync(other)</c>): in a lambda or local
        /// function, it has finished when the caller's await of that body's task has.
        /// </summary>
        public bool TaskReturned { get; set; }

        /// <summary>Raw use: the local its task is stored in (<c>var t = stream.ReadAsync(…)</c>), if any.</summary>
        public ILocalSymbol? TaskStoredIn { get; set; }

        /// <summary>Close: <c>"Close"</c>, <c>"Dispose"</c> or <c>"Abort"</c>.</summary>
        public string? CloseKind { get; set; }

        /// <summary>Creation: the stream argument.</summary>
        public IOperation? Transport { get; set; }

        public FlowGraph? Closure { get; set; }

        /// <summary>Closure: a lambda (may run later) rather than a local function called here.</summary>
        public bool ClosureIsDeferred { get; set; }

        public IMethodSymbol? Callee { get; set; }

        /// <summary>Closure: a call of a delegate held in this local (<c>await sw();</c>), run as the lambda stored there, if one is.</summary>
        public ILocalSymbol? DelegateLocal { get; set; }

        /// <summary>Assign: the WebSocket location whose value is copied (<c>var h = ws;</c>): an alias, not a new WebSocket.</summary>
        public RefKey? AliasOf { get; set; }
    }
}
