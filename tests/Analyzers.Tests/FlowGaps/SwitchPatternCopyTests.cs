using System.Threading.Tasks;
using WebSocketHandoff.Analyzers.Tests.Rules;
using Verify = WebSocketHandoff.Analyzers.Tests.Verifiers.HandoffAnalyzerVerifier<WebSocketHandoff.Analyzers.Rules.RawTransportUseAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.FlowGaps
{
    /// <summary>
    /// WSH001 through the variable a type pattern of a <c>switch</c> on the transport declares (<c>case NetworkStream ns:</c>,
    /// a switch expression arm), as through <c>stream is NetworkStream ns</c>. A pattern on another stream is not followed.
    /// </summary>
    public class SwitchPatternCopyTests
    {
        private static Task VerifyAsync(string code) => Verify.VerifyAsync(WSH001Tests.Usings + code);

        [Fact]
        public Task A_case_pattern_and_a_switch_expression_arm_on_the_transport_declare_roots() => VerifyAsync(@"
class C
{
    int M(Stream stream, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        switch (stream)
        {
            case SslStream ssl:
                {|WSH001:ssl.Write(b)|};
                break;
            case NetworkStream ns when ns.Socket.Connected:
                {|WSH001:ns.Socket.Send(b)|};
                break;
        }

        return stream switch
        {
            NetworkStream network => {|WSH001:network.Socket.Send(b)|},
            _ => 0,
        };
    }
}");

        [Fact]
        public Task A_case_pattern_on_another_stream_or_one_only_reading_properties_is_not_reported() => VerifyAsync(@"
class C
{
    void M(Stream stream, Stream other, byte[] b)
    {
        var ws = WebSocket.CreateFromStream(stream, true, null, TimeSpan.Zero);
        switch (other)
        {
            case NetworkStream ns:
                ns.Socket.Send(b);
                break;
        }

        switch (stream)
        {
            case NetworkStream mine:
                mine.Socket.NoDelay = true;
                break;
        }
    }
}");
    }
}
