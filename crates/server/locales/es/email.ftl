## Los correos. En la parte HTML de un correo los valores ($title, $instance …) llegan
## escapados y marcados; los textos no deben llevar marcas.

## Compartidos por varios correos.
email-hello = Hola:
# Un título entre comillas, en la parte de texto y en la HTML.
email-quote = «{ $text }»
email-quote-html = «{ $text }»
email-the-letter = La carta: { $url }
email-read-letter = Leer la carta
# Una fecha, "28 nov 2026"; los nombres cortos de los meses, en orden, separados por espacios.
email-date = { $day } { $month } { $year }
email-months = ene feb mar abr may jun jul ago sept oct nov dic
email-role = { $role ->
    [owner] propietario
    [editor] editor
    [moderator] moderador
    [viewer] lector
   *[other] { $role }
}

## Confirmar una firma.
email-confirm-subject = Confirma tu firma: { $title }
email-confirm-heading = Confirma tu firma
email-confirm-intro = Alguien, probablemente tú, ha firmado la carta abierta { $title } en { $instance } con esta dirección de correo.
email-confirm-open = Para confirmar tu firma, abre este enlace y pulsa el botón { $button }:
email-confirm-button = Confirmar mi firma
email-confirm-expires = El enlace funciona hasta el { $expires }. Tu firma no cuenta hasta que la confirmes.
email-confirm-receipt-text =
    Una vez confirmada, el mismo enlace seguido de /receipt te da un recibo: la prueba de que
    tu firma está en el registro público de la carta. Guarda este correo: después, el mismo
    enlace abre una página donde puedes cambiar cómo apareces o retirar tu firma.
email-confirm-receipt-html = Una vez confirmada, puedes descargar un recibo, la prueba de que tu firma está en el registro público de la carta: { $receipt }. Guarda este correo: después, el mismo enlace abre una página donde puedes cambiar cómo apareces o retirar tu firma.
email-confirm-ignore = Si no has firmado, ignora este correo: no se publicará nada.

## Firmar de nuevo con una dirección que ya ha firmado.
email-already-subject = Ya has firmado: { $title }
email-already-heading = Ya has firmado
email-already-intro = Alguien, probablemente tú, ha intentado firmar de nuevo la carta abierta { $title } en { $instance } con esta dirección de correo.
email-already-nothing = Esta dirección ya ha firmado esta carta, y su firma se confirmó anteriormente. No ha cambiado nada y no tienes que hacer nada.
email-already-not-you = Si no has sido tú, puedes ignorar este correo.

## Un nuevo enlace para gestionar una firma.
email-manage-subject = Gestiona tu firma: { $title }
email-manage-heading = Gestiona tu firma
email-manage-intro =
    Alguien, probablemente tú, ha pedido un nuevo enlace para gestionar tu firma de la carta abierta
    { $title } en { $instance }.
email-manage-what =
    Este enlace muestra cómo apareces en la carta y te permite cambiarlo, descargar tu recibo
    (la prueba de que tu firma está en el registro público de la carta) o retirar tu firma:
email-manage-button = Gestionar mi firma
email-manage-expires =
    El enlace funciona hasta el { $expires }. Abrirlo no cambia nada: cada cambio tiene su propio
    botón. Guarda este correo y no lo reenvíes: quien tenga el enlace puede gestionar tu
    firma.
email-manage-ignore = Si no lo has pedido, ignora este correo: no ha cambiado nada.

## Una invitación a unirse a un espacio de trabajo.
email-invitation-subject = Únete a { $workspace } en { $instance }
email-invitation-heading = Únete a { $workspace }
email-invitation-intro =
    { $inviter } te ha invitado a unirte al espacio de trabajo { $workspace } en { $instance }
    como { $role }, para ayudar a gestionar sus cartas abiertas.
email-invitation-accept = Para aceptar, abre este enlace y sigue la página:
email-invitation-button = Ver la invitación
email-invitation-expires =
    El enlace funciona una sola vez, hasta el { $expires }. Abrirlo no cambia nada: la página tiene el
    botón. No lo reenvíes: quien tenga el enlace puede unirse en tu lugar.
email-invitation-ignore = Si no esperabas esta invitación, ignora este correo.

## Un cambio de contraseña.
email-reset-subject = Elige una nueva contraseña en { $instance }
email-reset-heading = Elige una nueva contraseña
email-reset-intro =
    Alguien, probablemente tú, ha pedido elegir una nueva contraseña para tu cuenta de organizador en
    { $instance }.
email-reset-open = Para elegir una nueva contraseña, abre este enlace:
email-reset-button = Elegir una nueva contraseña
email-reset-expires =
    El enlace funciona una sola vez, hasta el { $expires }. Abrirlo no cambia nada: la página tiene el
    botón. Al elegir una nueva contraseña se cierran todas tus sesiones.
email-reset-ignore = Si no lo has pedido, ignora este correo: tu contraseña no ha cambiado.

## El texto de una carta ha cambiado en lo esencial.
email-reconfirm-subject = La carta que firmaste ha cambiado: { $title }
email-reconfirm-heading = Vuelve a confirmar tu firma
email-reconfirm-intro = Los organizadores de la carta abierta { $title } en { $instance }, que firmaste, han cambiado su texto en lo esencial (versión { $version }).
email-reconfirm-note = Su nota: { $note }
email-reconfirm-still-text = Tu firma sigue contando, indicada como firmada sobre un texto anterior. Si estás de acuerdo con el nuevo texto, abre esta página, lee los cambios y pulsa su botón para volver a confirmar tu firma: { $link }
email-reconfirm-still-html = Tu firma sigue contando, indicada como firmada sobre un texto anterior. Si estás de acuerdo con el nuevo texto, lee los cambios y vuelve a confirmar tu firma en esta página:
email-reconfirm-button = Leer los cambios y volver a confirmar
email-reconfirm-withdraw = Si ya no estás de acuerdo, puedes retirar tu firma con el enlace que recibiste al firmar.

## Una novedad sobre una carta.
email-update-subject = Novedad: { $title } ({ $letter })
email-update-intro-text = Hay novedades sobre la carta abierta { $title } en { $instance }, que firmaste y de la que pediste noticias:
email-update-intro-html = Hay novedades sobre la carta abierta { $title } en { $instance }, que firmaste y de la que pediste noticias.
email-update-sources = Fuentes
email-update-sources-text = Fuentes:
email-update-why = Recibes este correo porque marcaste { $option } al firmar.
email-update-option = Quiero recibir por correo novedades sobre esta carta
email-update-stop-text = Para dejar de recibir estos correos, abre esta página y pulsa su botón: { $link }
email-update-stop = Dejar de recibir estos correos

## Una invitación a firmar una carta enviada de nuevo a otro destinatario.
email-family-subject = Firma de nuevo, para otro destinatario: { $title }
email-family-intro = Firmaste una carta abierta en { $instance } y pediste recibir noticias. Los organizadores envían ahora la misma carta a otro destinatario:
email-family-to = Para: { $targets }
email-family-again = Tu firma anterior no se copia. Si quieres añadir tu firma también a esta carta, abre esta página y pulsa { $button } (antes puedes elegir cómo apareces):
email-family-button = Añadir mi firma
email-family-nothing = Si no haces nada, no pasa nada.

## Entregar una carta a un destinatario.
email-delivery-dear = Estimado/a { $target }:
email-delivery-intro = { $host } le entrega la carta abierta { $title }, con sus { $signatures } a fecha de { $date }.
email-delivery-signatures = { $n ->
    [one] { $count } firma
   *[other] { $count } firmas
}
email-delivery-attached = La carta y la lista de sus firmantes están en el PDF adjunto ({ $file }). La carta es pública, con sus firmantes y su número al día, en:
email-delivery-log = Cada firma es una entrada en el registro público de la carta, al que solo se pueden añadir entradas; el PDF termina con el punto de control firmado del registro en el momento de la entrega, para que cualquiera pueda comprobar el recuento.
