using Microsoft.CodeAnalysis;

namespace WebSocketHandoff.Analyzers
{
    /// <summary>
    /// The descriptors of WSH001–WSH006, and the contract between each analyzer and its code fix:
    /// what the diagnostic's location, additional locations and properties carry. Fixers read these;
    /// they never re-run the analysis.
    /// </summary>
    /// <remarks>
    /// <para>
    /// <b>Handoff plan</b> (WSH001, WSH003, and WSH002 on a BCL WebSocket): everything the fix needs to turn one
    /// creation into a correct handoff, identical in every diagnostic about that creation so Fix All can group by it.
    /// AdditionalLocations, in this order:
    /// [0] the creation invocation (<c>WebSocket.CreateFromStream(…)</c>);
    /// [1] the statement before which the detach goes (the statement holding the first raw use in the creation's body;
    /// precisely: the statement that holds it and sits directly in the innermost block holding every raw use of the body,
    /// moved out of any loop the creation is not in, so the detach runs once and dominates the raw uses; when the body has
    /// no raw use, the creation's own statement, and the plan is not fixable);
    /// then <see cref="PropertyRootCount"/> root expressions, one per raw use, to be replaced by the detached stream;
    /// then <see cref="PropertyCloseCount"/> close invocations (<c>CloseAsync</c>/<c>CloseOutputAsync</c> reached after the detach
    /// point); the fix removes those that follow the detach on every path and guards the others with an <c>IsDetached</c> test.
    /// Properties: <see cref="PropertyCreationKind"/>, <see cref="PropertyCanAwait"/>, <see cref="PropertyRootCount"/>,
    /// <see cref="PropertyCloseCount"/>, <see cref="PropertyFixable"/>.
    /// </para>
    /// <para>
    /// A plan is <see cref="PropertyFixable"/> only when the rewrite is mechanical: the creation is assigned to a local
    /// (or a field) the fix can name, every raw use sits in the creation's own body (not a lambda, local function or
    /// other member), and every root expression is a <c>Stream</c> that the detached stream can replace (a
    /// <c>Socket.Send</c> is not). Otherwise the diagnostic is still reported and no fix is offered.
    /// </para>
    /// </remarks>
    internal static class Descriptors
    {
        /// <summary>
        /// WSH001. Location: the raw use (the invocation or object creation doing I/O on a transport root).
        /// AdditionalLocations and properties: the handoff plan (see the remarks on <see cref="Descriptors"/>).
        /// </summary>
        public static readonly DiagnosticDescriptor RawTransportUse = Create(
            RuleIdentifiers.RawTransportUse,
            "Transport used raw while the WebSocket still owns it",
            "'{0}' uses the WebSocket's transport raw while the WebSocket may still own it; detach it first with HandoffWebSocket.DetachAsync and use the stream it returns",
            "A WebSocket reads ahead from its stream, writes keep-alive frames into it and closes it. Raw I/O on that stream (or on what it wraps) before the WebSocket lets go of it loses bytes or interleaves frames with raw data. Create the WebSocket with HandoffWebSocket.CreateFromStream and use the stream returned by DetachAsync.");

        /// <summary>
        /// WSH002. Location: the close/dispose/abort call, or the <c>using</c> keyword of the statement or declaration.
        /// On a BCL WebSocket: the handoff plan (see the remarks on <see cref="Descriptors"/>), plus <see cref="PropertyCloseKind"/>.
        /// On a HandoffWebSocket: AdditionalLocations[0] the creation (when known); properties <see cref="PropertyCreationKind"/>
        /// and <see cref="PropertyCloseKind"/>; the fix removes the close call.
        /// </summary>
        public static readonly DiagnosticDescriptor CloseDuringHandoff = Create(
            RuleIdentifiers.CloseDuringHandoff,
            "WebSocket closed during a handoff",
            "'{0}' closes the WebSocket after its transport was handed off to raw use; {1}",
            "After a raw use or a detach, CloseAsync/CloseOutputAsync write a Close frame into what is now a raw byte stream, and Dispose/Abort/using on a BCL WebSocket dispose the transport under the raw user. Detach with HandoffWebSocket and do not close the WebSocket afterwards.");

        /// <summary>
        /// WSH003. Location: the creation invocation.
        /// AdditionalLocations and properties: the handoff plan (see the remarks on <see cref="Descriptors"/>).
        /// </summary>
        public static readonly DiagnosticDescriptor KeepAliveOnHandoff = Create(
            RuleIdentifiers.KeepAliveOnHandoff,
            "Keep-alive on a WebSocket whose transport is used raw",
            "The WebSocket created here may send keep-alive frames into a transport that is also used raw; create it with HandoffWebSocket.CreateFromStream, or set the keep-alive interval to TimeSpan.Zero",
            "With a keep-alive interval the BCL WebSocket writes unsolicited Pong frames on a timer, also after the program has switched the connection to raw bytes. HandoffWebSocket stops the WebSocket layer from writing once a detach starts.");

        /// <summary>
        /// WSH004. Location: the reflection invocation, or the identifier of the [UnsafeAccessor] method.
        /// No code fix.
        /// </summary>
        public static readonly DiagnosticDescriptor WebSocketReflection = Create(
            RuleIdentifiers.WebSocketReflection,
            "Reflection into WebSocket internals",
            "{0} reaches non-public parts of System.Net.WebSockets; use HandoffWebSocket.DetachAsync to get the transport back instead",
            "Private fields such as ManagedWebSocket._stream or ClientWebSocket._innerWebSocket change between .NET versions, and reading the stream out from under a live WebSocket loses its read-ahead bytes and lets its keep-alive write into the raw stream. HandoffWebSocket hands the transport back through a public API.");

        /// <summary>
        /// WSH005. Location: the SendAsync/ReceiveAsync invocation.
        /// AdditionalLocations[0]: the detach invocation that may have run before it.
        /// No code fix.
        /// </summary>
        public static readonly DiagnosticDescriptor UseAfterDetach = Create(
            RuleIdentifiers.UseAfterDetach,
            "WebSocket used after it may have been detached",
            "'{0}' may run after the HandoffWebSocket was detached and will throw InvalidOperationException; finish WebSocket I/O before detaching, or use the detached stream",
            "Once detached, a HandoffWebSocket no longer owns its transport: SendAsync and ReceiveAsync throw. Move the call before the detach, or leave the loop after detaching.");

        /// <summary>
        /// WSH006. Location: the SendAsync invocation.
        /// AdditionalLocations[0]: the detach invocation that follows it; any further ones: the statements between them that
        /// only wait for a stored send task (<c>await t;</c>), which the merge removes.
        /// Properties: <see cref="PropertyDetachKind"/>, <see cref="PropertyFixable"/>.
        /// </summary>
        public static readonly DiagnosticDescriptor NonAtomicFinalSend = Create(
            RuleIdentifiers.NonAtomicFinalSend,
            "Final send is not atomic with the detach",
            "A keep-alive frame can be written between this final SendAsync and the detach that follows it; use SendAndDetachAsync",
            "Between the end of the final SendAsync and the start of DetachAsync the keep-alive timer can write a frame, so the peer may read a Pong where it expects raw bytes. SendAndDetachAsync makes the final message the last WebSocket frame on the wire.");

        /// <summary>Which creation the diagnostic is about: <c>"Bcl"</c> (WebSocket/WebSocketProtocol.CreateFromStream) or <c>"Handoff"</c>.</summary>
        public const string PropertyCreationKind = "CreationKind";

        /// <summary><c>"true"</c> when the containing method or lambda can await (async), else <c>"false"</c>.</summary>
        public const string PropertyCanAwait = "CanAwait";

        /// <summary>Handoff plan: how many root expressions follow the two fixed additional locations.</summary>
        public const string PropertyRootCount = "RootCount";

        /// <summary>Handoff plan: how many close invocations follow the root expressions.</summary>
        public const string PropertyCloseCount = "CloseCount";

        /// <summary>
        /// Handoff plan (WSH001/WSH002/WSH003) and WSH006: <c>"true"</c> when the fix can rewrite the code mechanically, else
        /// <c>"false"</c> (the diagnostic is reported without a fix).
        /// </summary>
        public const string PropertyFixable = "Fixable";

        /// <summary>WSH002: <c>"Close"</c> (CloseAsync/CloseOutputAsync), <c>"Dispose"</c>, <c>"Abort"</c> or <c>"Using"</c>.</summary>
        public const string PropertyCloseKind = "CloseKind";

        /// <summary>WSH006: <c>"DetachAsync"</c> or <c>"Detach"</c>.</summary>
        public const string PropertyDetachKind = "DetachKind";

        public const string CreationKindBcl = "Bcl";
        public const string CreationKindHandoff = "Handoff";

        private static DiagnosticDescriptor Create(string id, string title, string messageFormat, string description) =>
            new DiagnosticDescriptor(
                id,
                title,
                messageFormat,
                RuleIdentifiers.Category,
                DiagnosticSeverity.Warning,
                isEnabledByDefault: true,
                description: description,
                helpLinkUri: RuleIdentifiers.GetHelpUri(id));
    }
}
