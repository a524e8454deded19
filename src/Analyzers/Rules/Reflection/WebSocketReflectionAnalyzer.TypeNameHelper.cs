using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace WebSocketHandoff.Analyzers
{
    // WSH004: your own helpers that look a type up by name, TypeExists("System.Net.WebSockets.ManagedWebSocket"), whose body
    // hands its string parameter to Type.GetType / Assembly.GetType.
    public sealed partial class WebSocketReflectionAnalyzer
    {
        /// <summary>
        /// On syntax: an argument is a string literal naming a System.Net.WebSockets type (the call may be a type-name
        /// helper worth binding). Public type names are left to the symbol check.
        /// </summary>
        private static bool PassesWebSocketsTypeLiteral(InvocationExpressionSyntax node)
        {
            foreach (ArgumentSyntax argument in node.ArgumentList.Arguments)
            {
                if (argument.Expression is LiteralExpressionSyntax literal
                    && literal.IsKind(SyntaxKind.StringLiteralExpression)
                    && literal.Token.ValueText.StartsWith(WebSocketsNamespacePrefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private sealed partial class Analysis
        {
            private readonly ConcurrentDictionary<IMethodSymbol, int> _typeNameHelpers =
                new ConcurrentDictionary<IMethodSymbol, int>(SymbolEqualityComparer.Default);

            // TypeExists("System.Net.WebSockets.ManagedWebSocket") with a helper that does Type.GetType(name) != null.
            private void AnalyzeTypeNameHelper(Action<Diagnostic> report, IInvocationOperation invocation)
            {
                if (HelperTypeName(invocation) is not string typeName || !IsNonPublicWebSocketsTypeName(typeName, out _))
                {
                    return;
                }

                string what = "'" + invocation.TargetMethod.Name + "(\"" + typeName + "\")'";
                report(Diagnostic.Create(Descriptors.WebSocketReflection, invocation.Syntax.GetLocation(), what));
            }

            /// <summary>The constant type name passed to a type-name helper, or null.</summary>
            private string? HelperTypeName(IInvocationOperation invocation)
            {
                int ordinal = TypeNameHelperParameter(invocation.TargetMethod);
                if (ordinal < 0)
                {
                    return null;
                }

                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    if (argument.Parameter is { } parameter && parameter.Ordinal == ordinal)
                    {
                        return ConstantString(argument.Value);
                    }
                }

                return null;
            }

            /// <summary>
            /// The ordinal of the type-name parameter of a type-name helper, or -1: a method declared in source outside the
            /// System namespaces, with a <c>string</c> parameter that its body passes, as it is, as the first argument of a
            /// <c>GetType(…)</c> call with arguments (<c>Type.GetType(name)</c>, <c>assembly.GetType(name, false)</c>).
            /// </summary>
            private int TypeNameHelperParameter(IMethodSymbol method) =>
                _typeNameHelpers.GetOrAdd((method.ReducedFrom ?? method).OriginalDefinition, FindTypeNameHelperParameter);

            private int FindTypeNameHelperParameter(IMethodSymbol method)
            {
                if (method.DeclaringSyntaxReferences.IsEmpty
                    || method.ContainingType is null
                    || IsInSystemNamespace(method.ContainingType)
                    || method.Parameters.IsEmpty)
                {
                    return -1;
                }

                foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
                {
                    foreach (SyntaxNode node in reference.GetSyntax().DescendantNodes())
                    {
                        if (node is InvocationExpressionSyntax getType
                            && InvokedName(getType) == "GetType"
                            && getType.ArgumentList.Arguments.Count > 0
                            && getType.ArgumentList.Arguments[0].Expression is IdentifierNameSyntax { Identifier.ValueText: var passed })
                        {
                            foreach (IParameterSymbol parameter in method.Parameters)
                            {
                                if (parameter.Name == passed && parameter.Type.SpecialType == SpecialType.System_String && parameter.RefKind == RefKind.None)
                                {
                                    return parameter.Ordinal;
                                }
                            }
                        }
                    }
                }

                return -1;
            }

            /// <summary>The System.Net.WebSockets type a constant name passed to <c>GetType(name)</c> (or a helper around it) names.</summary>
            private TargetType? TypeNamed(string? typeName)
            {
                if (typeName is null || !TryGetWebSocketsTypeName(typeName, out string metadataName))
                {
                    return null;
                }

                INamedTypeSymbol? resolved = _compilation.GetTypeByMetadataName(metadataName);
                return resolved is not null
                    ? new TargetType(ImmutableArray.Create(resolved), null)
                    : new TargetType(ImmutableArray.Create(_webSocket), metadataName.Substring(WebSocketsNamespacePrefix.Length));
            }
        }
    }
}
